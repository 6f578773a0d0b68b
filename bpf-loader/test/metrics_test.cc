#include "limen/bpf/metrics.h"

#include <gtest/gtest.h>

namespace limen::bpf {
namespace {

NodeReport Report() {
  NodeReport r;
  r.node = "node-a";
  r.probes.push_back({Probe::kTcpSend, ProbeState::kAttached, "", "raw_tp", {}, 0});
  PodReport pod{"default", "web-0", "uid-1", {}};
  ContainerReport c;
  c.name = "app";
  c.counts[static_cast<size_t>(Probe::kTcpSend)] = {4, 3, 1};
  c.counts[static_cast<size_t>(Probe::kGoGoroutineCreate)] = {7, 7, 0};
  c.counts[static_cast<size_t>(Probe::kGoGoroutineExit)] = {5, 5, 0};
  c.measurements.tcp_bytes_sent = 4096;
  c.measurements.exits_by_code[0] = 2;
  c.measurements.chan_block_buckets[0] = 3;
  c.measurements.chan_block_seconds_sum = 0.5;
  c.rss_bytes = 1234;
  c.cpu_seconds = 1.5;
  pod.containers.push_back(c);
  r.pods.push_back(pod);
  r.loader.events_received = 10;
  return r;
}

TEST(Metrics, RendersLabelledSeries) {
  std::string text = SerializeMetrics(RenderMetricFamilies(Report()));
  const std::string l =
      R"(node="node-a",namespace="default",pod="web-0",pod_uid="uid-1",container="app")";
  for (const std::string& want : std::vector<std::string>{
           "limen_tcp_sent_bytes_total{" + l + "} 4096",
           "limen_probe_dropped_total{" + l + R"(,probe="tcp.send"} 1)",
           "limen_event_coverage_ratio{" + l + "} 0.9375",
           "limen_go_goroutines{" + l + "} 2",
           "limen_process_exits_total{" + l + R"(,code="0"} 2)",
           "limen_go_chan_block_seconds_count{" + l + "} 3",
           "limen_resident_memory_bytes{" + l + "} 1234",
           "limen_cpu_seconds_total{" + l + "} 1.5",
           R"(limen_probe_state{node="node-a",probe="tcp.send",state="Attached"} 1)",
           R"(limen_probe_state{node="node-a",probe="tcp.send",state="Failed"} 0)",
           R"(limen_bpf_loader_events_received_total{node="node-a"} 10)",
       }) {
    EXPECT_NE(text.find(want), std::string::npos) << want << "\n" << text;
  }
}

TEST(Metrics, APodThatLeftLeavesNoSeries) {
  NodeReport r = Report();
  r.pods.clear();
  std::string text = SerializeMetrics(RenderMetricFamilies(r));
  EXPECT_EQ(text.find("web-0"), std::string::npos);
}

}  // namespace
}  // namespace limen::bpf

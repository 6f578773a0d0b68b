#include <gtest/gtest.h>

#include "limen/bpf/aggregator.h"
#include "limen/bpf/node_probe_state.h"

namespace limen::bpf {
namespace {

TEST(Coverage, Math) {
  EXPECT_FALSE(Coverage({}).has_value());
  EXPECT_DOUBLE_EQ(*Coverage({10, 10, 0}), 1.0);
  EXPECT_DOUBLE_EQ(*Coverage({100, 92, 8}), 0.92);
  EXPECT_DOUBLE_EQ(*Coverage({5, 0, 5}), 0.0);
}

limen_event Event(Probe p, uint64_t ts, uint64_t a0 = 0, uint64_t a1 = 0) {
  limen_event e{};
  e.probe = static_cast<uint32_t>(p);
  e.ts_ns = ts;
  e.arg0 = a0;
  e.arg1 = a1;
  return e;
}

TEST(ApplyEvent, StartupIsFirstExecToFirstListen) {
  Measurements m;
  EXPECT_TRUE(ApplyEvent(Event(Probe::kTcpState, 50, 7, kTcpListen), m));  // before exec: ignored
  EXPECT_TRUE(ApplyEvent(Event(Probe::kProcessExec, 100), m));
  EXPECT_TRUE(ApplyEvent(Event(Probe::kTcpState, 150, 7, 2), m));  // SYN_SENT: not a listen
  EXPECT_TRUE(ApplyEvent(Event(Probe::kTcpState, 5'000'100, 7, kTcpListen), m));
  EXPECT_TRUE(ApplyEvent(Event(Probe::kTcpState, 9'000'000, 7, kTcpListen), m));
  EXPECT_EQ(m.StartupNanos(), 5'000'000u);
}

TEST(ApplyEvent, CountersAndHistogram) {
  Measurements m;
  ApplyEvent(Event(Probe::kTcpSend, 1, 1000), m);
  ApplyEvent(Event(Probe::kTcpSend, 2, 24), m);
  ApplyEvent(Event(Probe::kProcessExit, 3, 3, 0), m);
  ApplyEvent(Event(Probe::kProcessExit, 4, 0, 9), m);       // SIGKILL
  ApplyEvent(Event(Probe::kGoChanBlock, 5, 2'000'000), m);  // 2 ms
  EXPECT_EQ(m.tcp_bytes_sent, 1024u);
  EXPECT_EQ(m.exits_by_code.at(3), 1u);
  EXPECT_EQ(m.exits_by_code.at(137), 1u);
  EXPECT_EQ(m.chan_block_buckets[ChanBlockBucket(0.002)], 1u);
  EXPECT_DOUBLE_EQ(m.chan_block_seconds_sum, 0.002);
  limen_event bad{};
  bad.probe = 99;
  EXPECT_FALSE(ApplyEvent(bad, m));
}

NodeReport SampleReport() {
  NodeReport r;
  r.node = "node-a";
  r.kernel.release = "6.18.0";
  r.kernel.btf.available = true;
  r.kernel.ring_buffer.available = true;
  r.kernel.raw_tp.available = true;
  r.kernel.uprobes.available = true;
  r.kernel.kprobes = {false, "no kprobe PMU"};
  r.probes.push_back({Probe::kTcpState, ProbeState::kAttached, "", "raw_tp",
                      WallTime(std::chrono::seconds(1700000000)), 0});
  r.probes.push_back({Probe::kGoChanBlock, ProbeState::kFailed, "uprobe: boom", "uprobe", {}, 0});
  PodReport pod{"default", "web-0", "8f1b3c2d-1a2b-4c3d-9e8f-0123456789ab", {}};
  ContainerReport c;
  c.name = "app";
  c.counts[static_cast<size_t>(Probe::kTcpState)] = {10, 9, 1};
  c.measurements.first_exec_ns = 1000;
  c.measurements.first_listen_ns = 6'001'000;
  c.rss_bytes = 3'000'000;
  pod.containers.push_back(c);
  r.pods.push_back(pod);
  r.reported_at = WallTime(std::chrono::seconds(1700000060));
  return r;
}

TEST(RenderNodeProbeStatus, FollowsTheCrd) {
  nlohmann::json s = RenderNodeProbeStatus(SampleReport());
  EXPECT_EQ(s["kernel"], nlohmann::json::parse(R"({"release":"6.18.0","btf":true,"ringBuffer":true,
      "tracepoints":true,"uprobes":true,"kprobes":false,"fentry":false})"));
  EXPECT_EQ(s["probes"][0],
            nlohmann::json::parse(
                R"({"name":"tcp.state","state":"Attached","attachedAt":"2023-11-14T22:13:20Z"})"));
  EXPECT_EQ(s["probes"][1]["state"], "Failed");
  EXPECT_EQ(s["probes"][1]["error"], "uprobe: boom");
  EXPECT_EQ(s["probesSummary"], "1/2");
  EXPECT_EQ(s["podCount"], 1);
  EXPECT_EQ(s["pods"][0], nlohmann::json::parse(R"({"namespace":"default","name":"web-0",
      "uid":"8f1b3c2d-1a2b-4c3d-9e8f-0123456789ab","startupNanos":6000000,"rssBytes":3000000,
      "events":{"hits":10,"delivered":9,"dropped":1}})"));
  EXPECT_EQ(s["reportedAt"], "2023-11-14T22:14:20Z");
}

TEST(RenderNodeProbeStatus, ComparisonFormIgnoresReportedAt) {
  NodeReport a = SampleReport(), b = SampleReport();
  b.reported_at += std::chrono::seconds(15);
  EXPECT_EQ(RenderNodeProbeStatusForComparison(a), RenderNodeProbeStatusForComparison(b));
  EXPECT_NE(RenderNodeProbeStatus(a), RenderNodeProbeStatus(b));
}

TEST(RenderNodeProbeStatus, PodWithoutListenHasNoStartup) {
  NodeReport r = SampleReport();
  r.pods[0].containers[0].measurements.first_listen_ns.reset();
  EXPECT_FALSE(RenderNodeProbeStatus(r)["pods"][0].contains("startupNanos"));
}

}  // namespace
}  // namespace limen::bpf

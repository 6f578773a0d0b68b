#include "limen/bpf/metrics.h"

#include <prometheus/text_serializer.h>

#include <sstream>

namespace limen::bpf {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;
using Labels = std::vector<ClientMetric::Label>;

// Families in declaration order; Add() appends a series to the named family.
class Builder {
 public:
  void Declare(const std::string& name, const std::string& help, MetricType type) {
    index_[name] = families_.size();
    families_.push_back(MetricFamily{name, help, type, {}});
  }
  ClientMetric& Add(const std::string& name, Labels labels) {
    auto& fam = families_[index_.at(name)];
    fam.metric.emplace_back();
    fam.metric.back().label = std::move(labels);
    return fam.metric.back();
  }
  void Counter(const std::string& name, Labels labels, double v) {
    Add(name, std::move(labels)).counter.value = v;
  }
  void Gauge(const std::string& name, Labels labels, double v) {
    Add(name, std::move(labels)).gauge.value = v;
  }
  std::vector<MetricFamily> Take() { return std::move(families_); }

 private:
  std::vector<MetricFamily> families_;
  std::map<std::string, size_t> index_;
};

Labels With(Labels base, std::string name, std::string value) {
  base.push_back({std::move(name), std::move(value)});
  return base;
}

void DeclareAll(Builder& b) {
  const auto C = MetricType::Counter, G = MetricType::Gauge;
  b.Declare("limen_probe_hits_total",
            "Probe invocations attributed to the container (kernel counter).", C);
  b.Declare("limen_probe_events_total",
            "Probe events delivered to the ring buffer (kernel counter).", C);
  b.Declare("limen_probe_dropped_total", "Probe events dropped because the ring buffer was full.",
            C);
  b.Declare("limen_event_coverage_ratio",
            "delivered / (delivered + dropped) over all probes of the container.", G);
  b.Declare("limen_tcp_sent_bytes_total", "TCP bytes sent (tcp.send).", C);
  b.Declare("limen_tcp_retransmits_total", "TCP segments retransmitted (tcp.retransmit).", C);
  b.Declare("limen_go_goroutines_created_total", "Goroutines created (go.goroutine.create).", C);
  b.Declare("limen_go_goroutines_exited_total", "Goroutines exited (go.goroutine.exit).", C);
  b.Declare("limen_go_goroutines", "Goroutines created minus exited since the probes attached.", G);
  b.Declare("limen_process_exits_total", "Process exits by exit code (128+n for signal n).", C);
  b.Declare("limen_go_chan_block_seconds", "Time goroutines spent blocked on channel operations.",
            MetricType::Histogram);
  b.Declare("limen_startup_seconds", "Exec of the container's first process to its first listen().",
            G);
  b.Declare("limen_resident_memory_bytes", "Resident memory of the container's processes.", G);
  b.Declare("limen_cpu_seconds_total", "CPU time of the container (cgroup CPU accounting).", C);
  b.Declare("limen_probe_state", "1 for the probe's current attach state.", G);
  b.Declare("limen_kernel_feature", "1 when the kernel offers the eBPF feature.", G);
  b.Declare("limen_bpf_loader_events_received_total", "Ring-buffer events the loader consumed.", C);
  b.Declare("limen_bpf_loader_events_malformed_total",
            "Ring-buffer events the loader could not interpret.", C);
  b.Declare("limen_bpf_loader_poll_errors_total", "Ring-buffer poll errors.", C);
  b.Declare("limen_bpf_loader_go_binaries_attached", "Go binaries with attached uprobes.", G);
  b.Declare("limen_bpf_loader_go_binary_failures_total",
            "Go binaries whose uprobes failed to attach.", C);
  b.Declare("limen_bpf_loader_resident_memory_bytes", "The loader's own resident memory.", G);
}

void RenderContainer(Builder& b, const Labels& l, const ContainerReport& c) {
  EventCounts total;
  for (int i = 0; i < kProbeCount; ++i) {
    const EventCounts& pc = c.counts[static_cast<size_t>(i)];
    total += pc;
    Labels pl = With(l, "probe", std::string(kProbeNames[static_cast<size_t>(i)]));
    b.Counter("limen_probe_hits_total", pl, static_cast<double>(pc.hits));
    b.Counter("limen_probe_events_total", pl, static_cast<double>(pc.delivered));
    b.Counter("limen_probe_dropped_total", pl, static_cast<double>(pc.dropped));
  }
  if (auto cov = Coverage(total)) b.Gauge("limen_event_coverage_ratio", l, *cov);
  const Measurements& m = c.measurements;
  auto hits = [&](Probe p) { return static_cast<double>(c.counts[static_cast<size_t>(p)].hits); };
  b.Counter("limen_tcp_sent_bytes_total", l, static_cast<double>(m.tcp_bytes_sent));
  b.Counter("limen_tcp_retransmits_total", l, hits(Probe::kTcpRetransmit));
  double created = hits(Probe::kGoGoroutineCreate), exited = hits(Probe::kGoGoroutineExit);
  b.Counter("limen_go_goroutines_created_total", l, created);
  b.Counter("limen_go_goroutines_exited_total", l, exited);
  b.Gauge("limen_go_goroutines", l, created > exited ? created - exited : 0);
  for (const auto& [code, n] : m.exits_by_code) {
    b.Counter("limen_process_exits_total", With(l, "code", std::to_string(code)),
              static_cast<double>(n));
  }
  auto& h = b.Add("limen_go_chan_block_seconds", l).histogram;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < m.chan_block_buckets.size(); ++i) {
    cumulative += m.chan_block_buckets[i];
    double bound = i < kChanBlockBuckets.size() ? kChanBlockBuckets[i]
                                                : std::numeric_limits<double>::infinity();
    h.bucket.push_back({cumulative, bound});
  }
  h.sample_count = cumulative;
  h.sample_sum = m.chan_block_seconds_sum;
  if (auto s = m.StartupNanos()) b.Gauge("limen_startup_seconds", l, static_cast<double>(*s) / 1e9);
  b.Gauge("limen_resident_memory_bytes", l, static_cast<double>(c.rss_bytes));
  if (c.cpu_seconds) b.Counter("limen_cpu_seconds_total", l, *c.cpu_seconds);
}

void RenderLoader(Builder& b, const NodeReport& r) {
  Labels node = {{"node", r.node}};
  for (const auto& p : r.probes) {
    for (ProbeState s : {ProbeState::kAttached, ProbeState::kFailed, ProbeState::kUnsupported,
                         ProbeState::kPending}) {
      Labels l = With(With(node, "probe", std::string(ProbeName(p.probe))), "state",
                      std::string(ProbeStateName(s)));
      b.Gauge("limen_probe_state", l, p.state == s ? 1 : 0);
    }
  }
  const KernelFeatures& k = r.kernel;
  for (const auto& [name, f] : std::initializer_list<std::pair<const char*, const Feature*>>{
           {"btf", &k.btf},
           {"ring_buffer", &k.ring_buffer},
           {"raw_tp", &k.raw_tp},
           {"tp_btf", &k.tp_btf},
           {"tracefs", &k.tracefs},
           {"tracepoint", &k.tracepoint},
           {"uprobes", &k.uprobes},
           {"kprobes", &k.kprobes},
           {"fentry", &k.fentry}}) {
    b.Gauge("limen_kernel_feature", With(node, "feature", name), f->available ? 1 : 0);
  }
  const LoaderStats& s = r.loader;
  b.Counter("limen_bpf_loader_events_received_total", node, static_cast<double>(s.events_received));
  b.Counter("limen_bpf_loader_events_malformed_total", node,
            static_cast<double>(s.events_malformed));
  b.Counter("limen_bpf_loader_poll_errors_total", node, static_cast<double>(s.poll_errors));
  b.Gauge("limen_bpf_loader_go_binaries_attached", node,
          static_cast<double>(s.go_binaries_attached));
  b.Counter("limen_bpf_loader_go_binary_failures_total", node,
            static_cast<double>(s.go_binary_failures));
  b.Gauge("limen_bpf_loader_resident_memory_bytes", node, static_cast<double>(s.rss_bytes));
}

}  // namespace

std::vector<MetricFamily> RenderMetricFamilies(const NodeReport& report) {
  Builder b;
  DeclareAll(b);
  for (const auto& pod : report.pods) {
    for (const auto& c : pod.containers) {
      Labels l = {{"node", report.node},
                  {"namespace", pod.namespace_},
                  {"pod", pod.name},
                  {"pod_uid", pod.uid},
                  {"container", c.name}};
      RenderContainer(b, l, c);
    }
  }
  RenderLoader(b, report);
  return b.Take();
}

std::string SerializeMetrics(const std::vector<MetricFamily>& families) {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, families);
  return out.str();
}

}  // namespace limen::bpf

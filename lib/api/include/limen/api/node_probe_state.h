// NodeProbeState (limen.dev/v1alpha1, cluster-scoped, short name nps, name = node name):
// written only by that node's limen-bpf-loader — kernel features, each catalogue probe's
// attach state, and per-pod measurements and event counters. It has no spec. Field names
// follow crds/nodeprobestates.yaml.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limen/api/codec.h"
#include "limen/api/conditions.h"
#include "limen/api/meta.h"

namespace limen::api {

inline constexpr std::string_view kProbeAttached = "Attached";
inline constexpr std::string_view kProbeFailed = "Failed";
inline constexpr std::string_view kProbeUnsupported = "Unsupported";
inline constexpr std::string_view kProbePending = "Pending";

struct KernelFeatures {
  std::string release;
  bool btf = false;
  bool ring_buffer = false;
  bool tracepoints = false;
  bool uprobes = false;
  bool kprobes = false;
  bool fentry = false;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("release", s.release);
    f("btf", s.btf);
    f("ringBuffer", s.ring_buffer);
    f("tracepoints", s.tracepoints);
    f("uprobes", s.uprobes);
    f("kprobes", s.kprobes);
    f("fentry", s.fentry);
  }
};

struct ProbeState {
  std::string name;   // a kProbeCatalogue name
  std::string state;  // kProbe*
  std::string error;
  std::optional<Time> attached_at;
  Json source;

  friend bool operator==(const ProbeState&, const ProbeState&) = default;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("name", s.name);
    f("state", s.state);
    f("error", s.error);
    f("attachedAt", s.attached_at);
  }
};

struct EventCounters {
  int64_t hits = 0;
  int64_t delivered = 0;
  int64_t dropped = 0;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("hits", s.hits);
    f("delivered", s.delivered);
    f("dropped", s.dropped);
  }
};

struct PodMeasurement {
  std::string namespace_;  // "namespace" on the wire
  std::string name;
  std::string uid;
  int64_t startup_nanos = 0;
  int64_t rss_bytes = 0;
  EventCounters events;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("namespace", s.namespace_);
    f("name", s.name);
    f("uid", s.uid);
    f("startupNanos", s.startup_nanos);
    f("rssBytes", s.rss_bytes);
    f("events", s.events);
  }
};

struct NodeProbeStateStatus {
  int64_t observed_generation = 0;
  std::vector<Condition> conditions;
  KernelFeatures kernel;
  std::vector<ProbeState> probes;
  std::string probes_summary;  // e.g. "8/8"
  std::vector<PodMeasurement> pods;
  int64_t pod_count = 0;
  std::optional<Time> reported_at;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("observedGeneration", s.observed_generation);
    f("conditions", s.conditions);
    f("kernel", s.kernel);
    f("probes", s.probes);
    f("probesSummary", s.probes_summary);
    f("pods", s.pods);
    f("podCount", s.pod_count);
    f("reportedAt", s.reported_at);
  }
};

struct NodeProbeState {
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
  NodeProbeStateStatus status;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("apiVersion", s.api_version);
    f("kind", s.kind);
    f("metadata", s.metadata);
    f("status", s.status);
  }
};

// The CRD declares no defaults for this kind; provided so every kind has one.
void SetDefaults(NodeProbeState& state);

}  // namespace limen::api

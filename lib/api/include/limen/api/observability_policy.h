// ObservabilityPolicy (limen.dev/v1alpha1, namespaced, short name obspol): which Pods Limen
// instruments with catalogue eBPF probes, and the readiness thresholds their workloads are
// measured against. Field names follow crds/observabilitypolicies.yaml.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "limen/api/codec.h"
#include "limen/api/conditions.h"
#include "limen/api/meta.h"
#include "limen/api/selector.h"

namespace limen::api {

struct Readiness {
  std::optional<int64_t> startup_millis;     // default 12
  std::optional<std::string> memory;         // quantity, default "3.2M"
  std::optional<int64_t> coverage_percent;   // default 92
  std::optional<int64_t> required_criteria;  // default 2
  std::optional<std::string> sustain_for;    // Go duration, default "2160h"
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("startupMillis", s.startup_millis);
    f("memory", s.memory);
    f("coveragePercent", s.coverage_percent);
    f("requiredCriteria", s.required_criteria);
    f("sustainFor", s.sustain_for);
  }
};

struct MetricsSpec {
  std::vector<std::string> pod_labels;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("podLabels", s.pod_labels);
  }
};

struct ObservabilityPolicySpec {
  std::optional<LabelSelector> selector;  // absent selects nothing, {} everything
  std::vector<std::string> probes;        // names from kProbeCatalogue
  std::optional<MetricsSpec> metrics;
  std::optional<Readiness> readiness;  // default {}
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("selector", s.selector);
    f("probes", s.probes);
    f("metrics", s.metrics);
    f("readiness", s.readiness);
  }
};

struct FailingNode {
  std::string node;
  std::string reason;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("node", s.node);
    f("reason", s.reason);
  }
};

struct NodeCounts {
  int64_t desired = 0;
  int64_t loaded = 0;
  int64_t failed = 0;
  std::vector<FailingNode> failing;  // at most 10
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("desired", s.desired);
    f("loaded", s.loaded);
    f("failed", s.failed);
    f("failing", s.failing);
  }
};

struct ObservabilityPolicyStatus {
  int64_t observed_generation = 0;
  std::vector<Condition> conditions;
  int64_t matched_workloads = 0;
  int64_t workloads_sustained = 0;
  NodeCounts nodes;
  std::string coverage;  // e.g. "95.2%"
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("observedGeneration", s.observed_generation);
    f("conditions", s.conditions);
    f("matchedWorkloads", s.matched_workloads);
    f("workloadsSustained", s.workloads_sustained);
    f("nodes", s.nodes);
    f("coverage", s.coverage);
  }
};

struct ObservabilityPolicy {
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
  ObservabilityPolicySpec spec;
  ObservabilityPolicyStatus status;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("apiVersion", s.api_version);
    f("kind", s.kind);
    f("metadata", s.metadata);
    f("spec", s.spec);
    f("status", s.status);
  }
};

// The CRD's defaults, applied to absent fields only (as the apiserver does).
void SetDefaults(Readiness& readiness);
void SetDefaults(ObservabilityPolicySpec& spec);
void SetDefaults(ObservabilityPolicy& policy);

// The readiness thresholds in typed form, defaults applied.
struct ReadinessThresholds {
  std::chrono::milliseconds startup{0};
  int64_t memory_bytes = 0;
  int64_t coverage_percent = 0;
  int64_t required_criteria = 0;
  std::chrono::nanoseconds sustain_for{0};
};
// Errors name the field, e.g. "spec.readiness.memory: invalid quantity ...".
StatusOr<ReadinessThresholds> ResolveReadiness(const std::optional<Readiness>& readiness);

}  // namespace limen::api

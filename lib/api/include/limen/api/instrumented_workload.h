// InstrumentedWorkload (limen.dev/v1alpha1, namespaced, short name iwl): created and owned
// by limen-operator, one per workload a policy selects, named InstrumentedWorkloadName(kind,
// name). Its status carries the measurements, the readiness criteria with the time each
// started to hold (metSince, so a restart never resets a window) and the Ready condition.
// Field names follow crds/instrumentedworkloads.yaml.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "limen/api/codec.h"
#include "limen/api/conditions.h"
#include "limen/api/meta.h"

namespace limen::api {

struct WorkloadRef {
  std::string api_version;
  std::string kind;  // Deployment, StatefulSet, DaemonSet, ReplicaSet or Pod
  std::string name;
  std::string uid;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("apiVersion", s.api_version);
    f("kind", s.kind);
    f("name", s.name);
    f("uid", s.uid);
  }
};

struct InstrumentedWorkloadSpec {
  WorkloadRef workload_ref;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("workloadRef", s.workload_ref);
  }
};

struct PolicyRef {
  std::string kind;  // ObservabilityPolicy or ResiliencePolicy
  std::string name;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("kind", s.kind);
    f("name", s.name);
  }
};

struct PodCounts {
  int64_t total = 0;
  int64_t injected = 0;
  int64_t instrumented = 0;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("total", s.total);
    f("injected", s.injected);
    f("instrumented", s.instrumented);
  }
};

struct StartupMeasurement {
  std::string p50;  // Go durations, e.g. "6.4ms"
  std::string p95;
  std::string max;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("p50", s.p50);
    f("p95", s.p95);
    f("max", s.max);
  }
};

struct Measurements {
  StartupMeasurement startup;
  std::string memory;  // quantity, e.g. "2.9M"
  int64_t memory_bytes = 0;
  std::string coverage;  // e.g. "95.2%"
  int64_t coverage_basis_points = 0;
  std::optional<Time> sampled_at;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("startup", s.startup);
    f("memory", s.memory);
    f("memoryBytes", s.memory_bytes);
    f("coverage", s.coverage);
    f("coverageBasisPoints", s.coverage_basis_points);
    f("sampledAt", s.sampled_at);
  }
};

struct Criterion {
  std::string name;  // kCriterionStartup, kCriterionMemory, kCriterionCoverage
  std::string met;   // "True", "False" or "Unknown"
  std::string value;
  std::string threshold;
  std::optional<Time> met_since;
  std::string reason;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("name", s.name);
    f("met", s.met);
    f("value", s.value);
    f("threshold", s.threshold);
    f("metSince", s.met_since);
    f("reason", s.reason);
  }
};

struct InstrumentedWorkloadStatus {
  int64_t observed_generation = 0;
  std::vector<Condition> conditions;  // ThresholdsMet, Ready
  std::vector<PolicyRef> policies;
  PodCounts pods;
  Measurements measurements;
  std::vector<Criterion> criteria;
  int64_t criteria_met = 0;
  std::string criteria_summary;  // e.g. "3/3"
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("observedGeneration", s.observed_generation);
    f("conditions", s.conditions);
    f("policies", s.policies);
    f("pods", s.pods);
    f("measurements", s.measurements);
    f("criteria", s.criteria);
    f("criteriaMet", s.criteria_met);
    f("criteriaSummary", s.criteria_summary);
  }
};

struct InstrumentedWorkload {
  std::string api_version;
  std::string kind;
  ObjectMeta metadata;
  InstrumentedWorkloadSpec spec;
  InstrumentedWorkloadStatus status;
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

// The CRD declares no defaults for this kind; provided so every kind has one.
void SetDefaults(InstrumentedWorkload& workload);

}  // namespace limen::api

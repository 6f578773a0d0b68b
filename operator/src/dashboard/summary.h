// The dashboard's summary: what /api/v1/summary serves and /dashboard shows — every policy,
// InstrumentedWorkload and NodeProbeState of the operator's informer caches, cluster-wide,
// with the readiness criteria spelled out for a person (value against threshold, since when,
// progress toward sustainFor).
//
// BuildSummary is a pure function of a snapshot of the caches and the clock, so it is
// tested table-style without a cluster and never calls the apiserver: the dashboard costs the
// apiserver nothing, whoever polls it, and every replica (leader or not) serves it from its
// own warm caches. The JSON is described by summary.schema.json beside this file.
//
// Everything shown comes from the objects' status as the operator's controllers wrote it;
// the summary only derives what status cannot hold because it moves with time (how long a
// criterion has held, the progress toward sustainFor, a node report's age).
//
// Thread-safety: TakeSnapshot reads Stores (safe for concurrent readers); the rest are pure
// functions on values.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/caches.h"
#include "limen/api/codec.h"
#include "limen/api/time.h"

namespace limen::op::dashboard {

// The objects one summary is built from (shared snapshots: nothing is copied).
struct CacheSnapshot {
  std::vector<ObjectPtr> observability_policies;
  std::vector<ObjectPtr> resilience_policies;
  std::vector<ObjectPtr> wasm_filters;
  std::vector<ObjectPtr> instrumented_workloads;
  std::vector<ObjectPtr> node_probe_states;
  std::vector<std::string> pod_nodes;  // spec.nodeName of every cached Pod that has one
};

CacheSnapshot TakeSnapshot(const Caches& caches, const kube::Store& wasm_filters);

// The serving process, shown in the page header.
struct OperatorInfo {
  std::string identity;
  bool leader = false;
  bool caches_synced = false;
  std::string watch_namespace;  // "" = every namespace
  // The node agents' report interval: a NodeProbeState not reported for 3x this is stale
  // (the readiness engine's rule).
  std::chrono::nanoseconds report_interval = std::chrono::seconds(15);
};

// Workload states, from the InstrumentedWorkload's conditions: Ready=True → Sustained;
// else ThresholdsMet=True → ThresholdsMet; ThresholdsMet=False → NotMet; otherwise (no
// verdict yet, or only ResiliencePolicies select it) → Unknown.
inline constexpr const char kStateSustained[] = "Sustained";
inline constexpr const char kStateThresholdsMet[] = "ThresholdsMet";
inline constexpr const char kStateNotMet[] = "NotMet";
inline constexpr const char kStateUnknown[] = "Unknown";

// The summary document (summary.schema.json). Lists are sorted — policies by (namespace,
// name, kind), workloads and filters by (namespace, name), nodes by name — so equal caches
// give equal documents whatever the store's iteration order. Objects that do not decode are
// listed with what could be read and a `decodeError`, never dropped silently.
api::Json BuildSummary(const CacheSnapshot& snapshot, const OperatorInfo& info, api::Time now);

// Progress of a window of `held` toward `sustain_for`, clamped to [0, 1]; a zero or negative
// sustainFor counts as complete.
double Progress(std::chrono::nanoseconds held, std::chrono::nanoseconds sustain_for);

}  // namespace limen::op::dashboard

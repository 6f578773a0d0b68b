// The readiness engine: from a workload's per-pod measurements (reported by the node agents
// in NodeProbeStates) and its ObservabilityPolicy's thresholds, decide which criteria hold,
// since when, and whether the workload is Sustained.
//
// Semantics (DESIGN.md "Readiness"):
//   - Startup  p95 of the pods' exec→first-listen times ≤ startup threshold;
//     Memory   the largest resident set of any pod ≤ memory threshold;
//     Coverage delivered / (delivered + dropped) over all pods ≥ coverage threshold.
//   - A sample older than 3 × the report interval is stale; a criterion without a fresh
//     sample is Unknown — never met.
//   - metSince is kept from the previous status while the criterion keeps holding, so an
//     operator restart or a new leader never resets a window; a criterion that stops holding
//     (False or Unknown) loses it.
//   - ThresholdsMet: ≥ requiredCriteria hold now. Ready (reason Sustained): ≥ requiredCriteria
//     have each held for sustainFor.
//   - requeue_after is exactly when the next thing can change without new input: a window
//     completing, or the oldest fresh sample going stale. No polling.
//
// Evaluate is pure: the clock is an input. Thread-safety: pure functions on values.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "limen/api/instrumented_workload.h"
#include "limen/api/observability_policy.h"

namespace limen::readiness {

using api::Time;
using Duration = std::chrono::nanoseconds;

// One pod's latest measurements, as a node agent reported them.
struct PodSample {
  std::string uid;
  int64_t startup_nanos = 0;  // 0: not measured (yet)
  int64_t rss_bytes = 0;      // 0: not measured
  int64_t delivered = 0;
  int64_t dropped = 0;
  Time reported_at;  // the NodeProbeState's reportedAt
};

struct Inputs {
  std::vector<PodSample> pods;
  api::ReadinessThresholds thresholds;
  // The status as last written (by this or an earlier process): the source of metSince.
  std::vector<api::Criterion> previous_criteria;
  std::vector<api::Condition> previous_conditions;
  int64_t generation = 0;
  Time now;
  Duration report_interval = std::chrono::seconds(15);
};

// A change worth an Event: a criterion's or condition's status moved.
struct Transition {
  std::string subject;  // "Startup", "Memory", "Coverage", "ThresholdsMet", "Ready"
  std::string from;     // "True", "False", "Unknown", or "" when first evaluated
  std::string to;
  std::string reason;
  std::string message;
};

struct Evaluation {
  api::Measurements measurements;
  std::vector<api::Criterion> criteria;    // Startup, Memory, Coverage
  std::vector<api::Condition> conditions;  // ThresholdsMet, Ready (+ others kept)
  int64_t criteria_met = 0;
  std::string criteria_summary;  // "2/3"
  bool sustained = false;
  // When `required` criteria will each have held for sustainFor if they keep holding (or
  // did); nullopt when too few hold now.
  std::optional<Time> sustained_at;
  std::optional<Duration> requeue_after;
  std::vector<Transition> transitions;
};

Evaluation Evaluate(const Inputs& inputs);

// Nearest-rank percentile (p in (0, 100]) of unsorted values; REQUIRES: !values.empty().
int64_t Percentile(std::vector<int64_t> values, int p);

// How long a criterion has held at `now` (zero if met_since is in the future: the clock went
// backwards, and the window waits rather than trusting either reading).
Duration HeldFor(const api::Criterion& c, Time now);

}  // namespace limen::readiness

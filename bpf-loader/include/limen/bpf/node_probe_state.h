// The NodeProbeState `status` (crds/nodeprobestates.yaml) as a pure function of a
// NodeReport, so the Kubernetes writer is a thin adapter (status subresource PUT/PATCH at a
// bounded rate) and the standalone --print-json shows exactly what it would write.
//
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "limen/bpf/report.h"

namespace limen::bpf {

// RFC 3339 UTC with second precision ("2025-01-02T03:04:05Z"), as Kubernetes writes.
std::string FormatRfc3339(WallTime t);

// status: kernel, probes[], probesSummary, pods[], podCount, reportedAt.
nlohmann::json RenderNodeProbeStatus(const NodeReport& report);

// The same without reportedAt, for "only write when changed" comparisons.
nlohmann::json RenderNodeProbeStatusForComparison(const NodeReport& report);

// Whether the NodeProbeState writer writes now, given whether the status (without
// reportedAt) changed since the last successful write and how long ago that was.
//   - Bounded rate: the agent offers a report every `interval` (default 15 s); a change is
//     written then, but never sooner than interval / 2 after the previous write.
//   - Heartbeat: an unchanged status is rewritten (with a new reportedAt) once the last write
//     is at least 1.5 × interval old — so, offered every interval, reportedAt is refreshed at
//     least every 2 × interval. The operator treats a sample older than 3 × interval as
//     stale; a quiet node must not look dead.
bool ShouldWriteStatus(bool changed, std::optional<std::chrono::milliseconds> since_last_write,
                       std::chrono::milliseconds interval);

}  // namespace limen::bpf

// The NodeProbeState `status` (crds/nodeprobestates.yaml) as a pure function of a
// NodeReport, so the Kubernetes writer is a thin adapter (status subresource PUT/PATCH at a
// bounded rate) and the standalone --print-json shows exactly what it would write.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "limen/bpf/report.h"

namespace limen::bpf {

// RFC 3339 UTC with second precision ("2025-01-02T03:04:05Z"), as Kubernetes writes.
std::string FormatRfc3339(WallTime t);

// status: kernel, probes[], probesSummary, pods[], podCount, reportedAt.
nlohmann::json RenderNodeProbeStatus(const NodeReport& report);

// The same without reportedAt, for "only write when changed" comparisons.
nlohmann::json RenderNodeProbeStatusForComparison(const NodeReport& report);

}  // namespace limen::bpf

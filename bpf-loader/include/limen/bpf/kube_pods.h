// Kubernetes → what the agent traces, as pure functions (table-tested without a cluster):
// the Pods on this node (watched with fieldSelector=spec.nodeName=<node>) and the
// ObservabilityPolicies of every namespace become PodTargets.
//
//   - A policy selects the Pods of its own namespace whose labels match spec.selector
//     (absent selects nothing, {} everything — apimachinery's rules, lib/api/selector.h).
//   - A selected Pod is traced with the union of the probes of the policies that select it.
//   - Its containers are status.containerStatuses[] (the app containers, as the kubelet
//     reports them); containerID ("containerd://<id>") is what attribution matches against
//     /proc/<pid>/cgroup. A container without an ID yet (not started) is listed with "" and
//     matches no process until the kubelet fills it in.
//   - Pods that are Succeeded or Failed have no processes left and are not traced.
// A policy that does not decode or whose selector is invalid selects nothing and yields a
// warning naming it; the others still apply.
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "limen/bpf/sources.h"

namespace limen::bpf {

struct PodSelection {
  std::vector<PodTarget> pods;        // sorted by namespace, name
  std::vector<std::string> warnings;  // e.g. `policy team-a/p: spec.selector: ...`
};

PodSelection SelectPodTargets(const std::vector<nlohmann::json>& pods,
                              const std::vector<nlohmann::json>& policies);

// The informer transform for Pods: keeps only what SelectPodTargets reads (metadata name,
// namespace, uid, labels, resourceVersion; spec.nodeName; status.phase and
// status.containerStatuses[].{name, containerID}), so a node's Pod cache stays small.
nlohmann::json ProjectPod(nlohmann::json pod);

}  // namespace limen::bpf

// KubePodSource: the Kubernetes PodSource. It reads two informer caches — the Pods on this
// node (fieldSelector=spec.nodeName=<node>, projected by ProjectPod) and the
// ObservabilityPolicies of all namespaces — and turns them into PodTargets with
// SelectPodTargets (kube_pods.h). Until both caches have synced it returns Unavailable, so
// the agent keeps its previous set (and /readyz stays false) instead of untracking everything.
//
// Thread-safety: ListPods() is called from the agent loop; the stores are safe to read from
// any thread while their informers write them.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "limen/bpf/sources.h"
#include "limen/kube/store.h"

namespace limen::bpf {

class KubePodSource : public PodSource {
 public:
  using SyncedFn = std::function<bool()>;
  KubePodSource(const kube::Store& pods, const kube::Store& policies, SyncedFn synced);
  StatusOr<std::vector<PodTarget>> ListPods() override;

 private:
  const kube::Store& pods_;
  const kube::Store& policies_;
  const SyncedFn synced_;
  std::set<std::string> warned_;  // warnings already logged (agent loop only)
};

}  // namespace limen::bpf

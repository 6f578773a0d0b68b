#include "limen/bpf/kube_source.h"

#include <spdlog/spdlog.h>

#include "limen/bpf/kube_pods.h"

namespace limen::bpf {

KubePodSource::KubePodSource(const kube::Store& pods, const kube::Store& policies, SyncedFn synced)
    : pods_(pods), policies_(policies), synced_(std::move(synced)) {}

StatusOr<std::vector<PodTarget>> KubePodSource::ListPods() {
  if (!synced_()) return Status::Unavailable("pod and policy caches not synced yet");
  std::vector<nlohmann::json> pods, policies;
  for (const auto& p : pods_.List()) pods.push_back(*p);
  for (const auto& p : policies_.List()) policies.push_back(*p);
  PodSelection sel = SelectPodTargets(pods, policies);
  std::set<std::string> now(sel.warnings.begin(), sel.warnings.end());
  for (const auto& w : now) {
    if (!warned_.count(w)) spdlog::warn("{}", w);
  }
  warned_ = std::move(now);
  return std::move(sel.pods);
}

}  // namespace limen::bpf

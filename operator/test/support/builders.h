// Object builders for the operator's tests: Pods, workloads, policies and NodeProbeStates as
// the apiserver would send them (only the fields Limen reads), and a Stores bundle that
// exposes them as Caches.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/caches.h"

namespace limen::op::testing {

struct Owner {
  std::string kind, name, uid;
};

kube::Object Pod(const std::string& ns, const std::string& name, const std::string& uid,
                 std::map<std::string, std::string> labels, std::optional<Owner> owner = {},
                 const std::string& node = "",
                 const std::map<std::string, std::string>& annotations = {});
kube::Object Workload(const std::string& kind, const std::string& ns, const std::string& name,
                      const std::string& uid, std::optional<Owner> owner = {});
kube::Object ObsPolicy(const std::string& ns, const std::string& name,
                       std::map<std::string, std::string> match_labels,
                       std::vector<std::string> probes = {"process.exec"},
                       kube::Object readiness = kube::Object::object());
kube::Object ResPolicy(const std::string& ns, const std::string& name,
                       std::map<std::string, std::string> match_labels, const std::string& hash);

struct PodEntry {
  std::string ns, name, uid;
  int64_t startup_nanos, rss_bytes, delivered, dropped;
};
kube::Object Nps(const std::string& node, const std::string& reported_at,
                 const std::vector<PodEntry>& pods,
                 const std::map<std::string, std::string>& probe_states = {});

// One Store per cache, with the operator's indexes, and the typed indexes beside them kept as
// the informers' handlers keep them (app/wiring.cc). `pods` is not part of caches(): the
// operator reads Pods from pod_index; it holds the projected Pods for Remove.
struct Stores {
  Stores();
  kube::Store pods, replicasets, deployments, statefulsets, daemonsets, obspols, respols, iwls, nps;
  std::shared_ptr<NodeReports> node_reports = std::make_shared<NodeReports>();
  std::shared_ptr<PodIndex> pod_index = std::make_shared<PodIndex>();
  std::shared_ptr<ReplicaSetIndex> replicaset_index = std::make_shared<ReplicaSetIndex>();
  Caches caches() const;
  // Puts obj into the store of its kind (and its index).
  void Add(const kube::Object& obj);
  // Removes the object of that kind and key from its store (and its index).
  void Remove(const std::string& kind, const std::string& key);
};

}  // namespace limen::op::testing

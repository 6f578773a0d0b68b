// Realistic Pod bodies for the informer benchmark: what a Deployment's Pod in a real cluster
// looks like after Limen's webhook injected it — labels and annotations as Helm charts and
// controllers write them, an init container, three containers (app, Limen's sidecar, a log
// shipper) with env/ports/resources/probes/mounts, volumes, tolerations and affinity. Served
// by the apiserver with its defaults, the projected service-account volume and the
// managedFields of the server-side apply that created it, one is about 8 KB of JSON.
//
// The Pods name a scheduler that does not exist, so they stay Pending and nothing but the
// benchmark's own writer ever updates them (no kube-scheduler status writes during a run).
//
// Thread-safety: pure functions.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace limen::bench {

inline constexpr const char kRoundLabel[] = "bench.limen.dev/round";
inline constexpr const char kSchedulerName[] = "limen-bench-unscheduled";

// "bench-app-00042-5f7d8c9b4-xk2lq"-like names, stable for an index.
std::string PodName(int index);

// The apply configuration of Pod `index` in `ns`, owned (non-controller reference) by the
// ReplicaSet `owner_name`/`owner_uid`, which must exist (else the garbage collector deletes
// the Pod).
nlohmann::json MakePod(const std::string& ns, int index, const std::string& owner_name,
                       const std::string& owner_uid);

// The ReplicaSet the Pods reference: 0 replicas, a selector that matches none of them.
nlohmann::json MakeOwner(const std::string& ns, const std::string& name);

}  // namespace limen::bench

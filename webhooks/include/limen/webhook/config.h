// InjectorConfig: what the platform team decides about the injected sidecar — its image
// (pinned by digest), resources, user, the locator address and whether the cluster has
// native sidecars. It comes from the webhook's config file (rendered by the chart from
// values) and flags, never from a Pod or a tenant's ResiliencePolicy: nothing a tenant
// controls can choose the sidecar image or add privileges.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "limen/base/status.h"

namespace limen::webhook {

struct InjectorConfig {
  // Sidecar container.
  std::string sidecar_name = "limen-sidecar";
  // No default: the chart pins the Envoy image by digest; Validate() refuses anything else.
  std::string sidecar_image;
  std::vector<std::string> sidecar_command = {"/usr/local/bin/envoy"};
  std::string cpu_request = "10m";
  std::string memory_request = "32Mi";
  std::string cpu_limit;  // "" = no CPU limit (throttling hurts tail latency)
  std::string memory_limit = "128Mi";
  int64_t run_as_user = 101;  // the envoy user of the upstream image
  int64_t run_as_group = 101;
  int64_t max_concurrency = 4;  // upper bound for spec.sidecar.concurrency

  // false: the cluster is older than 1.29 (no native sidecars); the sidecar becomes a regular
  // container.
  bool native_sidecar = true;

  // LIMEN_LOCATOR: where an app finds the Limen control plane (the operator's Service).
  std::string locator = "limen-operator.limen-system.svc:8443";
  // Never injected, besides kube-system and kube-node-lease.
  std::string limen_namespace = "limen-system";
};

// Applies the keys of a JSON object (the config file's `injector:` section, camelCase keys
// named like the members) over `config`. Unknown keys and wrong types are errors naming the
// key, so a typo in values.yaml fails at start instead of being ignored.
Status ApplyConfigJson(const nlohmann::json& j, InjectorConfig& config);

// Checks invariants: an image pinned by digest ("...@sha256:<64 hex>"), a non-root user,
// non-empty names. The webhook refuses to start otherwise.
Status Validate(const InjectorConfig& config);

// True for "name@sha256:<64 hex>".
bool IsPinnedByDigest(const std::string& reference);

}  // namespace limen::webhook

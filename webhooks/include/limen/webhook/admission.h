// AdmissionReview (admission.k8s.io/v1) decoding and the two admission endpoints:
//   POST /mutate-pods     — Pod CREATE → the planner's JSON Patch (planner.h);
//   POST /validate-limen  — Limen CRs → warnings for what CEL cannot check (validator.h).
//
// The handlers are plain functions Request → Response over a PolicySource (a read-only view
// of the informers' caches), so they are unit-tested without a socket or a cluster, and the
// admission path never calls the apiserver.
//
// Input hardening: a body over the server's limit gets 413 (HttpServer), a Content-Type other
// than application/json 415, anything undecodable 400 with a message naming what is wrong.
// A request that decodes but then fails inside (a bug) is allowed without a patch, counted
// and logged: with failurePolicy Ignore the Pod would be admitted uninjected anyway, and an
// error here must never block a tenant's rollout.
//
// Thread-safety: AdmissionHandler is immutable after construction and its handlers run
// concurrently; the PolicySource and AdmissionMetrics must be thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "limen/api/resilience_policy.h"
#include "limen/api/wasm_filter.h"
#include "limen/base/status.h"
#include "limen/serving/http_server.h"
#include "limen/webhook/config.h"
#include "limen/webhook/metrics.h"

namespace limen::webhook {

using Json = nlohmann::json;

// Read-only view of what the admission path needs. Implementations: the informer-backed one
// in the binary, StaticPolicySource for tests and the dry-run CLI.
class PolicySource {
 public:
  virtual ~PolicySource() = default;
  // nullopt: the namespace is not (yet) in the cache.
  virtual std::optional<std::map<std::string, std::string>> NamespaceLabels(
      const std::string& ns) const = 0;
  virtual std::vector<api::ResiliencePolicy> ResiliencePolicies(const std::string& ns) const = 0;
  virtual std::vector<api::WasmFilter> WasmFilters(const std::string& ns) const = 0;
};

// Fixed contents. Thread-safe once built (read-only).
struct StaticPolicySource final : PolicySource {
  std::map<std::string, std::map<std::string, std::string>> namespaces;
  std::vector<api::ResiliencePolicy> policies;
  std::vector<api::WasmFilter> filters;

  std::optional<std::map<std::string, std::string>> NamespaceLabels(
      const std::string& ns) const override;
  std::vector<api::ResiliencePolicy> ResiliencePolicies(const std::string& ns) const override;
  std::vector<api::WasmFilter> WasmFilters(const std::string& ns) const override;
};

// The parts of an AdmissionRequest the webhook reads.
struct AdmissionRequest {
  std::string api_version;  // echoed in the response (admission.k8s.io/v1)
  std::string uid;
  std::string kind;      // request.kind.kind
  std::string group;     // request.kind.group
  std::string resource;  // request.resource.resource
  std::string sub_resource;
  std::string operation;  // CREATE, UPDATE, DELETE, CONNECT
  std::string ns;
  std::string name;
  bool dry_run = false;
  Json object;  // request.object (null for DELETE)
};

// Decodes an AdmissionReview body. Errors name the offending field.
StatusOr<AdmissionRequest> DecodeAdmissionReview(std::string_view body);

struct AdmissionResponse {
  bool allowed = true;
  Json patch;  // JSON Patch array; omitted when null or empty
  std::vector<std::string> warnings;
  int code = 0;  // status.code when denied
  std::string message;
};

// The AdmissionReview answering `request`.
Json EncodeAdmissionReview(const AdmissionRequest& request, const AdmissionResponse& response);

class AdmissionHandler {
 public:
  // `source`, `metrics` (may be null) must outlive the handler.
  AdmissionHandler(const PolicySource& source, InjectorConfig config, AdmissionMetrics* metrics);

  serving::Response MutatePods(const serving::Request& request) const;
  serving::Response ValidateLimen(const serving::Request& request) const;

  // The decision for one decoded request (no HTTP): used by the handlers above.
  AdmissionResponse Mutate(const AdmissionRequest& request) const;
  AdmissionResponse Validate(const AdmissionRequest& request) const;

 private:
  // Content-Type and decoding checks shared by both endpoints; nullopt when `out` holds
  // the error response.
  std::optional<AdmissionRequest> Decode(const serving::Request& request, std::string_view webhook,
                                         serving::Response& out) const;

  // Constant after construction.
  const PolicySource& source_;
  const InjectorConfig config_;
  AdmissionMetrics* const metrics_;
};

}  // namespace limen::webhook

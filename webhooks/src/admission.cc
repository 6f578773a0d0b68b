#include "limen/webhook/admission.h"

#include <spdlog/spdlog.h>

#include <cctype>
#include <chrono>
#include <exception>
#include <tuple>
#include <utility>

#include "limen/api/codec.h"
#include "limen/kube/base64.h"
#include "limen/kube/field_filter.h"
#include "limen/webhook/planner.h"
#include "limen/webhook/validator.h"

namespace limen::webhook {
namespace {

constexpr std::string_view kMutate = "mutate-pods";
constexpr std::string_view kValidate = "validate-limen";

Status ReadString(const Json& obj, const char* key, const std::string& path, bool required,
                  std::string& out) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return Status::InvalidArgument(path + "." + key + " is missing");
    return Status::Ok();
  }
  if (!it->is_string()) return Status::InvalidArgument(path + "." + key + " must be a string");
  out = it->get<std::string>();
  return Status::Ok();
}

// Operation as a bounded metric label: a hostile body cannot grow the label set.
std::string_view OperationLabel(const std::string& op) {
  for (std::string_view known : {"CREATE", "UPDATE", "DELETE", "CONNECT"}) {
    if (op == known) return known;
  }
  return "OTHER";
}

bool IsJsonContentType(const serving::Request& request) {
  const auto it = request.headers.find("content-type");
  if (it == request.headers.end()) return false;
  std::string media = it->second.substr(0, it->second.find(';'));
  while (!media.empty() && std::isspace(static_cast<unsigned char>(media.back()))) media.pop_back();
  for (auto& ch : media) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return media == "application/json";
}

}  // namespace

std::optional<std::map<std::string, std::string>> StaticPolicySource::NamespaceLabels(
    const std::string& ns) const {
  const auto it = namespaces.find(ns);
  if (it == namespaces.end()) return std::nullopt;
  return it->second;
}

std::vector<api::ResiliencePolicy> StaticPolicySource::ResiliencePolicies(
    const std::string& ns) const {
  std::vector<api::ResiliencePolicy> out;
  for (const auto& p : policies) {
    if (p.metadata.namespace_.empty() || p.metadata.namespace_ == ns) out.push_back(p);
  }
  return out;
}

std::vector<api::WasmFilter> StaticPolicySource::WasmFilters(const std::string& ns) const {
  std::vector<api::WasmFilter> out;
  for (const auto& f : filters) {
    if (f.metadata.namespace_.empty() || f.metadata.namespace_ == ns) out.push_back(f);
  }
  return out;
}

StatusOr<AdmissionRequest> DecodeAdmissionReview(std::string_view body) {
  // lib/kube's reader: the value nlohmann's parser gives (fuzzed against it), built in about
  // half the time, since strings are scanned in place rather than a character at a time.
  Json review = kube::ParseFiltered(body, nullptr, {});
  if (review.is_discarded()) return Status::InvalidArgument("malformed JSON");
  if (!review.is_object()) return Status::InvalidArgument("AdmissionReview must be a JSON object");
  AdmissionRequest out;
  LIMEN_RETURN_IF_ERROR(ReadString(review, "apiVersion", "AdmissionReview", true, out.api_version));
  std::string kind;
  LIMEN_RETURN_IF_ERROR(ReadString(review, "kind", "AdmissionReview", true, kind));
  if (out.api_version != "admission.k8s.io/v1" || kind != "AdmissionReview") {
    return Status::InvalidArgument(
        "expected apiVersion admission.k8s.io/v1, kind AdmissionReview; got " + out.api_version +
        ", " + kind);
  }
  const auto req = review.find("request");
  if (req == review.end() || !req->is_object()) {
    return Status::InvalidArgument("AdmissionReview.request is missing or not an object");
  }
  const std::string path = "request";
  LIMEN_RETURN_IF_ERROR(ReadString(*req, "uid", path, true, out.uid));
  if (out.uid.empty()) return Status::InvalidArgument("request.uid is empty");
  LIMEN_RETURN_IF_ERROR(ReadString(*req, "operation", path, true, out.operation));
  LIMEN_RETURN_IF_ERROR(ReadString(*req, "namespace", path, false, out.ns));
  LIMEN_RETURN_IF_ERROR(ReadString(*req, "name", path, false, out.name));
  LIMEN_RETURN_IF_ERROR(ReadString(*req, "subResource", path, false, out.sub_resource));
  for (const auto& [key, target, field] :
       {std::tuple{"kind", &out.kind, "kind"}, std::tuple{"kind", &out.group, "group"},
        std::tuple{"resource", &out.resource, "resource"}}) {
    const auto it = req->find(key);
    if (it == req->end() || !it->is_object()) {
      return Status::InvalidArgument(path + "." + key + " is missing or not an object");
    }
    LIMEN_RETURN_IF_ERROR(ReadString(*it, field, path + "." + key, false, *target));
  }
  if (const auto it = req->find("dryRun"); it != req->end() && !it->is_null()) {
    if (!it->is_boolean()) return Status::InvalidArgument("request.dryRun must be a boolean");
    out.dry_run = it->get<bool>();
  }
  // Moved, not copied: the review is ours, and a Pod is most of its 10 KB.
  if (const auto it = req->find("object"); it != req->end()) out.object = std::move(*it);
  return out;
}

Json EncodeAdmissionReview(const AdmissionRequest& request, const AdmissionResponse& response) {
  Json r = {{"uid", request.uid}, {"allowed", response.allowed}};
  if (response.patch.is_array() && !response.patch.empty()) {
    r["patchType"] = "JSONPatch";
    r["patch"] = kube::Base64Encode(response.patch.dump());
  }
  if (!response.warnings.empty()) r["warnings"] = response.warnings;
  if (!response.allowed) {
    r["status"] = {{"code", response.code == 0 ? 403 : response.code},
                   {"message", response.message}};
  }
  return {{"apiVersion", request.api_version.empty() ? "admission.k8s.io/v1" : request.api_version},
          {"kind", "AdmissionReview"},
          {"response", std::move(r)}};
}

AdmissionHandler::AdmissionHandler(const PolicySource& source, InjectorConfig config,
                                   AdmissionMetrics* metrics)
    : source_(source), config_(std::move(config)), metrics_(metrics) {}

std::optional<AdmissionRequest> AdmissionHandler::Decode(const serving::Request& request,
                                                         std::string_view webhook,
                                                         serving::Response& out) const {
  if (!IsJsonContentType(request)) {
    if (metrics_) metrics_->CountRejected(webhook, 415);
    const auto it = request.headers.find("content-type");
    out = serving::Response::Text(
        415, "Content-Type must be application/json, got \"" +
                 (it == request.headers.end() ? std::string() : it->second) + "\"\n");
    return std::nullopt;
  }
  auto decoded = DecodeAdmissionReview(request.body);
  if (!decoded.ok()) {
    if (metrics_) metrics_->CountRejected(webhook, 400);
    out = serving::Response::Text(
        400, "malformed AdmissionReview: " + decoded.status().message() + "\n");
    return std::nullopt;
  }
  return std::move(decoded).value();
}

AdmissionResponse AdmissionHandler::Mutate(const AdmissionRequest& req) const {
  AdmissionResponse resp;
  const std::string_view op = OperationLabel(req.operation);
  // Only Pod CREATE is ours; UPDATE, DELETE and subresources (binding, status) pass untouched.
  if (req.operation != "CREATE" || req.resource != "pods" || !req.group.empty() ||
      !req.sub_resource.empty()) {
    if (metrics_) metrics_->CountAdmission(kMutate, op, "allowed", "NotPodCreate");
    return resp;
  }
  PlanInput in;
  in.pod = &req.object;
  in.ns = req.ns;
  in.namespace_labels = source_.NamespaceLabels(req.ns);
  in.policies = source_.ResiliencePolicies(req.ns);
  in.filters = source_.WasmFilters(req.ns);
  in.config = &config_;
  Plan plan = PlanInjection(in);
  const Decision& d = plan.decision;
  const char* result = d.injected() ? "injected" : (d.untouched() ? "untouched" : "skipped");
  if (metrics_) metrics_->CountAdmission(kMutate, op, result, ReasonName(d.reason));
  spdlog::info("admission {}/{} uid={} {} {}: {} {}", req.ns,
               req.name.empty() ? "<generated>" : req.name, req.uid, result, ReasonName(d.reason),
               d.message, d.policy.empty() ? "" : "policy=" + d.policy + "@" + d.hash);
  resp.patch = std::move(plan.patch);
  resp.warnings = std::move(plan.warnings);
  return resp;
}

AdmissionResponse AdmissionHandler::Validate(const AdmissionRequest& req) const {
  AdmissionResponse resp;
  const std::string_view op = OperationLabel(req.operation);
  if (req.operation != "CREATE" && req.operation != "UPDATE") {
    if (metrics_) metrics_->CountAdmission(kValidate, op, "allowed", "NotCreateOrUpdate");
    return resp;
  }
  auto result = ValidateLimenObject(req.object, source_.WasmFilters(req.ns));
  if (!result.ok()) {
    resp.allowed = false;
    resp.code = 422;
    resp.message = result.status().message();
    if (metrics_) metrics_->CountAdmission(kValidate, op, "denied", "Undecodable");
    return resp;
  }
  resp.warnings = std::move(result->warnings);
  if (metrics_) {
    metrics_->CountAdmission(kValidate, op, "allowed",
                             resp.warnings.empty() ? "Valid" : "Warnings");
  }
  return resp;
}

serving::Response AdmissionHandler::MutatePods(const serving::Request& request) const {
  const auto start = std::chrono::steady_clock::now();
  serving::Response out;
  auto req = Decode(request, kMutate, out);
  if (!req) return out;
  AdmissionResponse resp;
  try {
    resp = Mutate(*req);
  } catch (const std::exception& e) {
    // A bug, not the request's fault: admit without a patch (what failurePolicy Ignore
    // would do), and make it visible.
    spdlog::error("mutate-pods uid={}: internal error, admitted without a patch: {}", req->uid,
                  e.what());
    if (metrics_) {
      metrics_->CountAdmission(kMutate, OperationLabel(req->operation), "error", "InternalError");
    }
    resp = AdmissionResponse{};
  }
  out = serving::Response::Json(200, EncodeAdmissionReview(*req, resp).dump());
  if (metrics_) {
    metrics_->ObserveLatency(
        kMutate, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return out;
}

serving::Response AdmissionHandler::ValidateLimen(const serving::Request& request) const {
  const auto start = std::chrono::steady_clock::now();
  serving::Response out;
  auto req = Decode(request, kValidate, out);
  if (!req) return out;
  AdmissionResponse resp;
  try {
    resp = Validate(*req);
  } catch (const std::exception& e) {
    spdlog::error("validate-limen uid={}: internal error, allowed: {}", req->uid, e.what());
    if (metrics_) {
      metrics_->CountAdmission(kValidate, OperationLabel(req->operation), "error", "InternalError");
    }
    resp = AdmissionResponse{};
  }
  out = serving::Response::Json(200, EncodeAdmissionReview(*req, resp).dump());
  if (metrics_) {
    metrics_->ObserveLatency(
        kValidate, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return out;
}

}  // namespace limen::webhook

#include "limen/reconcilers/resiliencepolicy/decisions.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include "limen/api/well_known.h"

namespace limen::reconcilers::resiliencepolicy {
namespace {

constexpr size_t kMaxMessageBytes = 32768;  // the CRD's bound on condition messages

std::string Truncate(std::string s, size_t max) {
  if (s.size() <= max) return s;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  s.resize(n);
  return s;
}

// obj[k0][k1]..., or nullptr when a step is missing or not an object.
const kube::Object* At(const kube::Object& obj, std::initializer_list<std::string_view> path) {
  const kube::Object* cur = &obj;
  for (std::string_view k : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(std::string(k));
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string StringAt(const kube::Object& obj, std::initializer_list<std::string_view> path) {
  const kube::Object* v = At(obj, path);
  return v != nullptr && v->is_string() ? v->get<std::string>() : "";
}

// The value at `path`, or null: so that "absent" and "absent" compare equal.
kube::Object ValueAt(const kube::Object& obj, std::initializer_list<std::string_view> path) {
  const kube::Object* v = At(obj, path);
  return v != nullptr ? *v : kube::Object();
}

bool OwnedBy(const kube::Object& cm, std::string_view uid) {
  const kube::Object* refs = At(cm, {"metadata", "ownerReferences"});
  if (refs == nullptr || !refs->is_array()) return false;
  return std::any_of(refs->begin(), refs->end(), [&](const kube::Object& r) {
    return r.is_object() && r.value("uid", "") == uid && r.value("controller", false);
  });
}

// Whether every key of desired[field] has the same value in existing[field].
bool HasAll(const kube::Object& existing, const kube::Object& desired, std::string_view field) {
  const kube::Object* want = At(desired, {"metadata", field});
  if (want == nullptr || !want->is_object()) return true;
  const kube::Object* have = At(existing, {"metadata", field});
  if (have == nullptr || !have->is_object()) return want->empty();
  for (const auto& [k, v] : want->items()) {
    auto it = have->find(k);
    if (it == have->end() || *it != v) return false;
  }
  return true;
}

}  // namespace

StatusOr<std::vector<api::WasmFilter>> GatherFilters(
    const api::ResiliencePolicy& policy, const std::vector<kube::ObjectPtr>& namespace_filters) {
  const std::string& ns = policy.metadata.namespace_;
  std::vector<api::WasmFilter> out;
  for (size_t i = 0; i < policy.spec.wasm_filters.size(); ++i) {
    const std::string& name = policy.spec.wasm_filters[i].name;
    const std::string where = "spec.wasmFilters[" + std::to_string(i) + "] (" + name + ")";
    auto it = std::find_if(namespace_filters.begin(), namespace_filters.end(),
                           [&](const kube::ObjectPtr& f) {
                             return f != nullptr && StringAt(*f, {"metadata", "name"}) == name &&
                                    StringAt(*f, {"metadata", "namespace"}) == ns;
                           });
    if (it == namespace_filters.end()) {
      return Status::NotFound(where + ": WasmFilter " + ns + "/" + name + " not found");
    }
    auto filter = api::Decode<api::WasmFilter>(**it);
    if (!filter.ok()) {
      return Status::InvalidArgument(where +
                                     ": WasmFilter does not decode: " + filter.status().message());
    }
    const api::Condition* c =
        api::FindStatusCondition(filter->status.conditions, api::kConditionValidated);
    if (c == nullptr || c->status != api::kConditionTrue) {
      std::string why = c == nullptr ? "it has no Validated condition yet"
                                     : "Validated is " + c->status + " (" + c->reason +
                                           (c->message.empty() ? "" : ": " + c->message) + ")";
      return Status::FailedPrecondition(where + ": WasmFilter " + ns + "/" + name +
                                        " is not validated: " + why);
    }
    // Listed once even when referenced twice: the renderer reports the duplicate reference.
    if (std::none_of(out.begin(), out.end(),
                     [&](const api::WasmFilter& f) { return f.metadata.name == name; })) {
      out.push_back(std::move(*filter));
    }
  }
  return out;
}

std::string_view ReasonFor(const Status& failure) {
  switch (failure.code()) {
    case StatusCode::kNotFound: return kReasonWasmFilterNotFound;
    case StatusCode::kFailedPrecondition: return kReasonWasmFilterNotValidated;
    case StatusCode::kInvalidArgument: return kReasonInvalidSpec;
    default: return kReasonRenderFailed;
  }
}

ConfigMapPlan PlanConfigMap(const kube::Object* existing, const kube::Object& desired,
                            std::string_view policy_uid) {
  ConfigMapPlan plan;
  if (existing == nullptr) {
    plan.action = ConfigMapPlan::Action::kCreate;
    plan.object = desired;
    return plan;
  }
  if (!OwnedBy(*existing, policy_uid)) {
    plan.action = ConfigMapPlan::Action::kConflict;
    plan.message = "ConfigMap " + StringAt(*existing, {"metadata", "namespace"}) + "/" +
                   StringAt(*existing, {"metadata", "name"}) +
                   " exists and is not controlled by this ResiliencePolicy (uid " +
                   std::string(policy_uid) + "); it is left alone";
    return plan;
  }
  const bool same = ValueAt(*existing, {"data"}) == ValueAt(desired, {"data"}) &&
                    ValueAt(*existing, {"binaryData"}).is_null() &&
                    HasAll(*existing, desired, "labels") &&
                    HasAll(*existing, desired, "annotations") &&
                    ValueAt(*existing, {"metadata", "ownerReferences"}) ==
                        ValueAt(desired, {"metadata", "ownerReferences"});
  if (same) return plan;
  plan.action = ConfigMapPlan::Action::kUpdate;
  plan.object = *existing;
  plan.object.erase("binaryData");
  plan.object["data"] = ValueAt(desired, {"data"});
  for (const char* field : {"labels", "annotations"}) {
    const kube::Object* want = At(desired, {"metadata", field});
    if (want == nullptr || !want->is_object()) continue;
    kube::Object& have = plan.object["metadata"][field];
    if (!have.is_object()) have = kube::Object::object();
    for (const auto& [k, v] : want->items()) have[k] = v;
  }
  plan.object["metadata"]["ownerReferences"] = ValueAt(desired, {"metadata", "ownerReferences"});
  return plan;
}

api::ResiliencePolicyStatus BuildStatus(const api::ResiliencePolicyStatus& previous,
                                        const RenderOutcome& outcome, int64_t generation,
                                        api::Time now) {
  api::ResiliencePolicyStatus s = previous;
  s.observed_generation = generation;
  api::Condition c;
  c.type = std::string(kConditionReady);
  c.status = std::string(outcome.rendered ? api::kConditionTrue : api::kConditionFalse);
  c.observed_generation = generation;
  c.reason = outcome.reason;
  c.message = Truncate(outcome.message, kMaxMessageBytes);
  api::SetStatusCondition(s.conditions, std::move(c), now);
  if (outcome.rendered) {
    s.rendered_config.name = outcome.config.name;
    s.rendered_config.hash = outcome.config.hash;
  }
  return s;
}

std::optional<EventSpec> TransitionEvent(const api::ResiliencePolicyStatus& before,
                                         const api::ResiliencePolicyStatus& after) {
  const api::Condition* b = api::FindStatusCondition(before.conditions, kConditionReady);
  const api::Condition* a = api::FindStatusCondition(after.conditions, kConditionReady);
  if (a == nullptr) return std::nullopt;
  const bool ok = a->status == api::kConditionTrue;
  // A transition: status or reason changed, or a new rendering (its hash is the message). A
  // failure whose wording changes for the same reason is not one (no Event noise).
  if (b != nullptr && b->status == a->status && b->reason == a->reason &&
      (!ok || b->message == a->message)) {
    return std::nullopt;
  }
  EventSpec e;
  e.type = ok ? kube::EventType::kNormal : kube::EventType::kWarning;
  e.reason = std::string(ok ? kEventRendered : kEventRenderFailed);
  e.note = ok ? a->message : a->reason + ": " + a->message;
  return e;
}

std::vector<std::string> PoliciesReferencingFilter(const std::vector<kube::ObjectPtr>& policies,
                                                   std::string_view ns, std::string_view filter) {
  std::vector<std::string> keys;
  for (const kube::ObjectPtr& p : policies) {
    if (p == nullptr || StringAt(*p, {"metadata", "namespace"}) != ns) continue;
    const kube::Object* refs = At(*p, {"spec", "wasmFilters"});
    if (refs == nullptr || !refs->is_array()) continue;
    const bool references = std::any_of(refs->begin(), refs->end(), [&](const kube::Object& r) {
      return r.is_object() && r.value("name", "") == filter;
    });
    if (references) keys.push_back(kube::ObjectKey(*p));
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::optional<std::string> OwnerPolicyKey(const kube::Object& config_map) {
  const kube::Object* refs = At(config_map, {"metadata", "ownerReferences"});
  if (refs == nullptr || !refs->is_array()) return std::nullopt;
  const std::string ns = StringAt(config_map, {"metadata", "namespace"});
  for (const kube::Object& r : *refs) {
    if (!r.is_object() || !r.value("controller", false)) continue;
    if (r.value("kind", "") != api::kKindResiliencePolicy) continue;
    if (!r.value("apiVersion", "").starts_with(std::string(api::kGroup) + "/")) continue;
    const std::string name = r.value("name", "");
    if (name.empty() || ns.empty()) return std::nullopt;
    return ns + "/" + name;
  }
  return std::nullopt;
}

}  // namespace limen::reconcilers::resiliencepolicy

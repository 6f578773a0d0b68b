#include "limen/reconcilers/resiliencepolicy/controller.h"

#include <string>
#include <utility>

namespace limen::reconcilers::resiliencepolicy {
namespace {

std::string MetadataString(const kube::Object& obj, const char* field) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return "";
  auto it = meta->find(field);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

bool Changed(const kube::ObjectPtr& old_obj, const kube::ObjectPtr& new_obj) {
  return kube::ObjectResourceVersion(*old_obj) != kube::ObjectResourceVersion(*new_obj);
}

// A handler calling `enqueue` with the object of every add, real update and delete.
template <class F>
std::shared_ptr<kube::ResourceEventHandler> HandlerFor(F enqueue) {
  auto h = std::make_shared<kube::ResourceEventHandlerFuncs>();
  h->add = [enqueue](const kube::ObjectPtr& o, bool) { enqueue(*o); };
  h->update = [enqueue](const kube::ObjectPtr& o, const kube::ObjectPtr& n) {
    if (Changed(o, n)) enqueue(*n);
  };
  h->del = [enqueue](const kube::DeletedObject& d) {
    if (const kube::ObjectPtr& last = kube::LastKnown(d)) enqueue(*last);
  };
  return h;
}

}  // namespace

std::shared_ptr<kube::ResourceEventHandler> WasmFilterHandler(const kube::Store& policies,
                                                              kube::Controller& controller) {
  return HandlerFor([&policies, &controller](const kube::Object& filter) {
    const std::string ns = MetadataString(filter, "namespace");
    for (const std::string& key : PoliciesReferencingFilter(
             policies.ByIndex(kube::kNamespaceIndex, ns), ns, MetadataString(filter, "name"))) {
      controller.Enqueue(key);
    }
  });
}

std::shared_ptr<kube::ResourceEventHandler> OwnedConfigMapHandler(kube::Controller& controller) {
  return HandlerFor([&controller](const kube::Object& cm) {
    if (auto key = OwnerPolicyKey(cm)) controller.Enqueue(*key);
  });
}

ResiliencePolicyController::ResiliencePolicyController(const Dependencies& deps,
                                                       const envoy::ConfigRenderer& renderer,
                                                       Config config)
    : reconciler_(deps.client, deps.policies.store(), deps.wasm_filters.store(),
                  deps.config_maps.store(), renderer, deps.recorder, deps.clock, std::move(config),
                  deps.reach),
      controller_(kube::ControllerOptions{.name = kControllerName,
                                          .workers = deps.workers,
                                          .rate_limiter = nullptr,
                                          .clock = &deps.clock},
                  reconciler_, deps.registry) {}

std::unique_ptr<ResiliencePolicyController> ResiliencePolicyController::Create(
    const Dependencies& deps, const envoy::ConfigRenderer& renderer, Config config) {
  std::unique_ptr<ResiliencePolicyController> c(
      new ResiliencePolicyController(deps, renderer, std::move(config)));
  deps.policies.AddEventHandler(c->controller_.EnqueueHandler());
  deps.wasm_filters.AddEventHandler(WasmFilterHandler(deps.policies.store(), c->controller_));
  deps.config_maps.AddEventHandler(OwnedConfigMapHandler(c->controller_));
  return c;
}

}  // namespace limen::reconcilers::resiliencepolicy

#include "limen/reconcilers/wasmfilter/controller.h"

#include <string>
#include <utility>

namespace limen::reconcilers::wasmfilter {
namespace {

std::string StringField(const kube::Object& obj, const char* field) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return "";
  auto it = meta->find(field);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::map<std::string, kube::IndexFunc> FilterIndexers() {
  return {{kIndexSourceConfigMap, IndexBySourceConfigMap}};
}

std::shared_ptr<kube::ResourceEventHandler> ConfigMapHandler(const kube::Store& filters,
                                                             kube::Controller& controller) {
  auto enqueue = [&filters, &controller](const kube::ObjectPtr& cm) {
    if (cm == nullptr) return;
    const std::string key = StringField(*cm, "namespace") + "/" + StringField(*cm, "name");
    for (const std::string& filter : filters.IndexKeys(kIndexSourceConfigMap, key)) {
      controller.Enqueue(filter);
    }
  };
  auto h = std::make_shared<kube::ResourceEventHandlerFuncs>();
  h->add = [enqueue](const kube::ObjectPtr& o, bool) { enqueue(o); };
  h->update = [enqueue](const kube::ObjectPtr& old_obj, const kube::ObjectPtr& new_obj) {
    // A resync-style update that changed nothing cannot change a verdict.
    if (kube::ObjectResourceVersion(*old_obj) == kube::ObjectResourceVersion(*new_obj)) return;
    enqueue(new_obj);
  };
  h->del = [enqueue](const kube::DeletedObject& d) { enqueue(kube::LastKnown(d)); };
  return h;
}

WasmFilterController::WasmFilterController(const Dependencies& deps, Config config)
    : reconciler_(deps.client, deps.wasm_filters.store(), deps.config_maps.store(), deps.recorder,
                  deps.clock, std::move(config)),
      controller_(kube::ControllerOptions{.name = kControllerName,
                                          .workers = deps.workers,
                                          .rate_limiter = nullptr,
                                          .clock = &deps.clock},
                  reconciler_, deps.registry) {}

std::unique_ptr<WasmFilterController> WasmFilterController::Create(const Dependencies& deps,
                                                                   Config config) {
  std::unique_ptr<WasmFilterController> c(new WasmFilterController(deps, std::move(config)));
  deps.wasm_filters.AddEventHandler(c->controller_.EnqueueHandler());
  deps.config_maps.AddEventHandler(ConfigMapHandler(deps.wasm_filters.store(), c->controller_));
  return c;
}

}  // namespace limen::reconcilers::wasmfilter

// Fuzz target: arbitrary bytes as a Pod (JSON). Whenever the input parses, the planner's
// patch must apply, and planning the patched Pod again must give an empty patch
// (inject(inject(p)) == inject(p)).
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "limen/api/codec.h"
#include "limen/webhook/planner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace limen::webhook;
  static const InjectorConfig* config = [] {
    auto* c = new InjectorConfig;
    c->sidecar_image =
        "r/e@sha256:1111111111111111111111111111111111111111111111111111111111111111";
    return c;
  }();
  static const std::vector<limen::api::ResiliencePolicy>* policies = [] {
    auto* v = new std::vector<limen::api::ResiliencePolicy>;
    v->push_back(limen::api::Decode<limen::api::ResiliencePolicy>(
                     nlohmann::json::parse(R"({"metadata": {"name": "p"},
        "spec": {"selector": {}, "wasmFilters": [{"name": "f"}]},
        "status": {"renderedConfig": {"hash": "h"}}})"))
                     .value());
    return v;
  }();
  auto pod = limen::api::ParseJson(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!pod.ok()) return 0;
  for (bool native : {true, false}) {
    InjectorConfig c = *config;
    c.native_sidecar = native;
    PlanInput in;
    in.pod = &*pod;
    in.ns = "shop";
    in.policies = *policies;
    in.config = &c;
    const Plan plan = PlanInjection(in);
    nlohmann::json patched;
    try {
      patched = pod->patch(plan.patch);
    } catch (...) {
      std::abort();  // the planner produced a patch that does not apply
    }
    in.pod = &patched;
    if (!PlanInjection(in).patch.empty()) std::abort();  // not idempotent
  }
  return 0;
}

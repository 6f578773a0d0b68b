// Fuzz target: arbitrary bytes as the body of POST /mutate-pods and /validate-limen. The
// handler must answer 200 or 400 (never crash, never throw), and any patch it returns must
// apply to the request's object.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "limen/api/codec.h"
#include "limen/webhook/admission.h"

namespace {

using limen::webhook::AdmissionHandler;
using limen::webhook::InjectorConfig;
using limen::webhook::StaticPolicySource;

const StaticPolicySource& Source() {
  static const auto* source = [] {
    auto* s = new StaticPolicySource;
    s->namespaces["shop"] = {{"limen.dev/injection", "enabled"}};
    s->policies.push_back(limen::api::Decode<limen::api::ResiliencePolicy>(
                              nlohmann::json::parse(R"({"metadata": {"name": "web",
        "namespace": "shop"}, "spec": {"selector": {}, "wasmFilters": [{"name": "f"}]},
        "status": {"renderedConfig": {"hash": "h"}}})"))
                              .value());
    return s;
  }();
  return *source;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const AdmissionHandler* handler = [] {
    InjectorConfig c;
    c.sidecar_image = "r/e@sha256:1111111111111111111111111111111111111111111111111111111111111111";
    return new AdmissionHandler(Source(), c, nullptr);
  }();
  limen::serving::Request r;
  r.method = "POST";
  r.headers["content-type"] = "application/json";
  r.body.assign(reinterpret_cast<const char*>(data), size);
  for (bool mutate : {true, false}) {
    const auto resp = mutate ? handler->MutatePods(r) : handler->ValidateLimen(r);
    if (resp.status != 200 && resp.status != 400) std::abort();
    if (resp.status != 200 || !mutate) continue;
    auto review = limen::webhook::DecodeAdmissionReview(r.body);
    if (!review.ok()) std::abort();  // 200 means it decoded
    const auto out = limen::api::ParseJson(resp.body);
    if (!out.ok()) std::abort();
    if (out->at("response").contains("patch")) {
      // Re-plan directly to get the patch unencoded, and check it applies.
      auto decision = handler->Mutate(*review);
      try {
        (void)review->object.patch(decision.patch);
      } catch (...) {
        std::abort();
      }
    }
  }
  return 0;
}

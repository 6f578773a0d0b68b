// AdmissionReview handling without a socket: decoding errors → 400 with a message, wrong
// Content-Type → 415, oversized bodies → 413 (through HttpServer::Dispatch), Pod CREATE →
// base64 JSON Patch, UPDATE/DELETE/subresources untouched, metrics counted.
#include "limen/webhook/admission.h"

#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "limen/api/codec.h"
#include "limen/kube/base64.h"
#include "limen/serving/observability.h"

namespace limen::webhook {
namespace {

const char* kImage =
    "registry.example/"
    "envoy@sha256:1111111111111111111111111111111111111111111111111111111111111111";

std::string DecodeB64(const std::string& s) { return kube::Base64Decode(s).value_or("<bad>"); }

Json Review(const std::string& op, const Json& object, const std::string& ns = "shop") {
  return {{"apiVersion", "admission.k8s.io/v1"},
          {"kind", "AdmissionReview"},
          {"request",
           {{"uid", "705ab4f5-6393-11e8-b7cc-42010a800002"},
            {"kind", {{"group", ""}, {"version", "v1"}, {"kind", "Pod"}}},
            {"resource", {{"group", ""}, {"version", "v1"}, {"resource", "pods"}}},
            {"namespace", ns},
            {"operation", op},
            {"object", object}}}};
}

Json Pod() {
  return Json::parse(R"({"apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web-1", "namespace": "shop", "labels": {"app": "web"}},
    "spec": {"containers": [{"name": "app", "image": "a"}]}})");
}

class AdmissionTest : public ::testing::Test {
 protected:
  AdmissionTest() : metrics_(registry_) {
    source_.namespaces["shop"] = {{"limen.dev/injection", "enabled"}};
    source_.policies.push_back(api::Decode<api::ResiliencePolicy>(Json::parse(R"({
      "apiVersion": "limen.dev/v1alpha1", "kind": "ResiliencePolicy",
      "metadata": {"name": "web", "namespace": "shop"},
      "spec": {"selector": {"matchLabels": {"app": "web"}}, "wasmFilters": [{"name": "nope"}]},
      "status": {"renderedConfig": {"name": "limen-web-sidecar", "hash": "h1"}}})"))
                                   .value());
    config_.sidecar_image = kImage;
    handler_ = std::make_unique<AdmissionHandler>(source_, config_, &metrics_);
  }

  serving::Response Post(const std::string& body, const std::string& ctype = "application/json") {
    serving::Request r;
    r.method = "POST";
    r.path = "/mutate-pods";
    r.headers["content-type"] = ctype;
    r.body = body;
    return handler_->MutatePods(r);
  }

  std::string Metrics() { return serving::RenderMetrics(registry_); }

  prometheus::Registry registry_;
  AdmissionMetrics metrics_;
  StaticPolicySource source_;
  InjectorConfig config_;
  std::unique_ptr<AdmissionHandler> handler_;
};

TEST_F(AdmissionTest, CreateGetsABase64JsonPatch) {
  const serving::Response r = Post(Review("CREATE", Pod()).dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.content_type, "application/json");
  const Json out = Json::parse(r.body);
  EXPECT_EQ(out["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(out["kind"], "AdmissionReview");
  EXPECT_EQ(out["response"]["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
  EXPECT_EQ(out["response"]["allowed"], true);
  EXPECT_EQ(out["response"]["patchType"], "JSONPatch");
  const Json patch = Json::parse(DecodeB64(out["response"]["patch"].get<std::string>()));
  const Json patched = Pod().patch(patch);
  EXPECT_EQ(patched["metadata"]["annotations"]["limen.dev/injected"], "web@h1");
  ASSERT_TRUE(out["response"]["warnings"].is_array());  // the missing WasmFilter
  EXPECT_NE(
      Metrics().find(
          R"(limen_webhook_admissions_total{operation="CREATE",reason="Injected",result="injected",webhook="mutate-pods"} 1)"),
      std::string::npos)
      << Metrics();
}

TEST_F(AdmissionTest, UpdateDeleteAndSubresourcesPassUntouched) {
  for (const char* op : {"UPDATE", "DELETE", "CONNECT"}) {
    const Json out = Json::parse(Post(Review(op, Pod()).dump()).body);
    EXPECT_EQ(out["response"]["allowed"], true) << op;
    EXPECT_FALSE(out["response"].contains("patch")) << op;
  }
  Json binding = Review("CREATE", Pod());
  binding["request"]["subResource"] = "binding";
  EXPECT_FALSE(Json::parse(Post(binding.dump()).body)["response"].contains("patch"));
  Json other = Review("CREATE", Pod());
  other["request"]["resource"]["resource"] = "configmaps";
  EXPECT_FALSE(Json::parse(Post(other.dump()).body)["response"].contains("patch"));
}

TEST_F(AdmissionTest, OptedOutAndUnknownNamespacesAreNotPatched) {
  Json pod = Pod();
  pod["metadata"]["labels"]["limen.dev/inject"] = "false";
  EXPECT_FALSE(Json::parse(Post(Review("CREATE", pod).dump()).body)["response"].contains("patch"));
  source_.namespaces["dev"] = {};
  EXPECT_FALSE(
      Json::parse(Post(Review("CREATE", Pod(), "dev").dump()).body)["response"].contains("patch"));
}

struct BadBody {
  const char* name;
  std::string body;
  const char* want;  // substring of the message
};

TEST_F(AdmissionTest, MalformedBodiesGet400WithAMessage) {
  Json no_uid = Review("CREATE", Pod());
  no_uid["request"].erase("uid");
  Json uid_int = Review("CREATE", Pod());
  uid_int["request"]["uid"] = 5;
  Json v1beta1 = Review("CREATE", Pod());
  v1beta1["apiVersion"] = "admission.k8s.io/v1beta1";
  Json no_request = Review("CREATE", Pod());
  no_request.erase("request");
  Json kind_str = Review("CREATE", Pod());
  kind_str["request"]["kind"] = "Pod";
  Json dry = Review("CREATE", Pod());
  dry["request"]["dryRun"] = "yes";
  const std::vector<BadBody> cases = {
      {"empty", "", "JSON"},
      {"not json", "{\"apiVersion\": ", "JSON"},
      {"array", "[]", "object"},
      {"no uid", no_uid.dump(), "request.uid"},
      {"uid not a string", uid_int.dump(), "request.uid"},
      {"v1beta1", v1beta1.dump(), "admission.k8s.io/v1"},
      {"no request", no_request.dump(), "request"},
      {"kind not an object", kind_str.dump(), "request.kind"},
      {"dryRun not bool", dry.dump(), "dryRun"},
      {"deep nesting", std::string(100000, '['), "JSON"},
  };
  for (const auto& c : cases) {
    const serving::Response r = Post(c.body);
    EXPECT_EQ(r.status, 400) << c.name << ": " << r.body;
    EXPECT_NE(r.body.find(c.want), std::string::npos) << c.name << ": " << r.body;
  }
  EXPECT_NE(Metrics().find(
                R"(limen_webhook_rejected_requests_total{code="400",webhook="mutate-pods"} 10)"),
            std::string::npos)
      << Metrics();
}

TEST_F(AdmissionTest, WrongContentTypeGets415) {
  EXPECT_EQ(Post(Review("CREATE", Pod()).dump(), "text/plain").status, 415);
  EXPECT_EQ(Post(Review("CREATE", Pod()).dump(), "").status, 415);
  EXPECT_EQ(Post(Review("CREATE", Pod()).dump(), "application/json; charset=utf-8").status, 200);
  EXPECT_EQ(Post(Review("CREATE", Pod()).dump(), "Application/JSON").status, 200);
}

TEST_F(AdmissionTest, OversizedBodiesGet413FromTheServer) {
  serving::HttpServerOptions o;
  o.port = 1;  // never started: Dispatch only
  o.max_body_bytes = 7 * 1024 * 1024;
  serving::HttpServer server(o);
  server.Route("POST", "/mutate-pods",
               [this](const serving::Request& r) { return handler_->MutatePods(r); });
  serving::Request r;
  r.method = "POST";
  r.path = "/mutate-pods";
  r.headers["content-type"] = "application/json";
  r.body = std::string(7 * 1024 * 1024 + 1, ' ');
  EXPECT_EQ(server.Dispatch(r).status, 413);
}

TEST_F(AdmissionTest, ResponseKeepsTheRequestApiVersion) {
  AdmissionRequest req;
  req.uid = "u";
  req.api_version = "admission.k8s.io/v1";
  AdmissionResponse resp;
  resp.allowed = false;
  resp.message = "no";
  const Json out = EncodeAdmissionReview(req, resp);
  EXPECT_EQ(out["response"]["status"]["code"], 403);
  EXPECT_EQ(out["response"]["status"]["message"], "no");
}

TEST_F(AdmissionTest, ValidateLimenWarnsAboutMissingWasmFilter) {
  serving::Request r;
  r.method = "POST";
  r.path = "/validate-limen";
  r.headers["content-type"] = "application/json";
  Json review = Review("CREATE", source_.policies[0].source);
  review["request"]["kind"] = {
      {"group", "limen.dev"}, {"version", "v1alpha1"}, {"kind", "ResiliencePolicy"}};
  review["request"]["resource"] = {
      {"group", "limen.dev"}, {"version", "v1alpha1"}, {"resource", "resiliencepolicies"}};
  r.body = review.dump();
  const serving::Response resp = handler_->ValidateLimen(r);
  ASSERT_EQ(resp.status, 200) << resp.body;
  const Json out = Json::parse(resp.body);
  EXPECT_EQ(out["response"]["allowed"], true);
  ASSERT_EQ(out["response"]["warnings"].size(), 1u) << out.dump();
  EXPECT_NE(out["response"]["warnings"][0].get<std::string>().find("\"nope\" does not exist"),
            std::string::npos);
}

}  // namespace
}  // namespace limen::webhook

// CertManager against lib/kube's in-memory FakeClient (wrapped to apply RFC 6902 JSON
// Patches with their `test` ops): bootstrap into a Secret, caBundle of every webhook entry,
// two replicas racing (the loser adopts), rotations on a FakeClock with the served
// certificate always trusted by the published bundle, corrupt Secret data repaired.
#include "limen/webhook/cert_manager.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "fake_client.h"
#include "limen/kube/base64.h"
#include "limen/webhook/admission.h"

namespace limen::webhook {
namespace {

using kube::testing::FakeClient;
using std::chrono::seconds;

// FakeClient with JSON Patch support (the fake itself only merges) and a hook that runs
// before a Secret write — to let "another replica" write in between a read and a write.
class TestClient final : public kube::Client {
 public:
  explicit TestClient(FakeClient& inner) : inner_(inner) {}
  std::function<void()> before_secret_write;
  std::function<void()> before_patch;

  kube::ApiResult<kube::Object> Get(const kube::Resource& r, const std::string& ns,
                                    const std::string& name,
                                    const kube::RequestOptions& o) override {
    return inner_.Get(r, ns, name, o);
  }
  kube::ApiResult<kube::ObjectList> List(const kube::Resource& r, const std::string& ns,
                                         const kube::ListOptions& o) override {
    return inner_.List(r, ns, o);
  }
  kube::ApiResult<kube::Object> Create(const kube::Resource& r, const std::string& ns,
                                       const kube::Object& obj,
                                       const kube::RequestOptions& o) override {
    if (r == kube::resources::kSecrets) RunHook(before_secret_write);
    return inner_.Create(r, ns, obj, o);
  }
  kube::ApiResult<kube::Object> Update(const kube::Resource& r, const std::string& ns,
                                       const kube::Object& obj,
                                       const kube::RequestOptions& o) override {
    if (r == kube::resources::kSecrets) RunHook(before_secret_write);
    return inner_.Update(r, ns, obj, o);
  }
  kube::ApiResult<kube::Object> Patch(const kube::Resource& r, const std::string& ns,
                                      const std::string& name, kube::PatchType type,
                                      const kube::Object& patch,
                                      const kube::PatchOptions& o) override {
    RunHook(before_patch);
    if (type != kube::PatchType::kJsonPatch) return inner_.Patch(r, ns, name, type, patch, o);
    auto current = inner_.Get(r, ns, name);
    if (!current.ok()) return current;
    kube::Object patched;
    try {
      patched = current->patch(patch);
    } catch (const std::exception& e) {
      return kube::ApiError{422, "Invalid", e.what(), nullptr, std::nullopt};
    }
    return inner_.Update(r, ns, patched);
  }
  kube::ApiResult<kube::Object> Delete(const kube::Resource& r, const std::string& ns,
                                       const std::string& name,
                                       const kube::DeleteOptions& o) override {
    return inner_.Delete(r, ns, name, o);
  }
  kube::ApiResult<std::unique_ptr<kube::WatchStream>> Watch(const kube::Resource& r,
                                                            const std::string& ns,
                                                            const kube::WatchOptions& o) override {
    return inner_.Watch(r, ns, o);
  }

 private:
  static void RunHook(std::function<void()>& hook) {
    if (!hook) return;
    auto h = std::move(hook);  // once
    hook = nullptr;
    h();
  }
  FakeClient& inner_;
};

CertPolicy ShortPolicy() {
  CertPolicy p;
  p.dns_names = {"limen-webhook.limen-system.svc"};
  p.ip_addresses = {"127.0.0.1"};
  p.ca_validity = seconds(1000);
  p.ca_renew_before = seconds(300);
  p.cert_validity = seconds(100);
  p.renew_before = seconds(30);
  p.propagation_delay = seconds(10);
  EXPECT_TRUE(ValidatePolicy(p).ok());
  return p;
}

kube::Object WebhookConfig(const std::string& kind, const std::string& name,
                           std::vector<std::string> entries) {
  kube::Object hooks = kube::Object::array();
  for (const auto& e : entries) {
    hooks.push_back({{"name", e}, {"clientConfig", {{"url", "https://127.0.0.1:1/x"}}}});
  }
  return {{"apiVersion", "admissionregistration.k8s.io/v1"},
          {"kind", kind},
          {"metadata", {{"name", name}}},
          {"webhooks", hooks}};
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

double MetricValue(prometheus::Registry& registry, const std::string& name,
                   const std::string& label_value = "") {
  for (const auto& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const auto& m : family.metric) {
      if (!label_value.empty() && (m.label.empty() || m.label[0].value != label_value)) {
        continue;
      }
      return family.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return -1;
}

class CertManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/limen-certmgr-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    ASSERT_TRUE(fake_
                    .Create(resources::kMutatingWebhookConfigurations, "",
                            WebhookConfig("MutatingWebhookConfiguration", "limen",
                                          {"pods.limen.dev", "pods2.limen.dev"}))
                    .ok());
    ASSERT_TRUE(
        fake_
            .Create(resources::kValidatingWebhookConfigurations, "",
                    WebhookConfig("ValidatingWebhookConfiguration", "limen", {"crs.limen.dev"}))
            .ok());
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  CertManager::Options Opts(const std::string& replica) {
    CertManager::Options o;
    o.secret_namespace = "limen-system";
    o.secret_name = "limen-webhook-certs";
    o.mutating_webhook_configuration = "limen";
    o.validating_webhook_configuration = "limen";
    o.policy = ShortPolicy();
    o.cert_file = dir_ + "/" + replica + ".crt";
    o.key_file = dir_ + "/" + replica + ".key";
    return o;
  }

  SecretData SecretContents() {
    auto s = fake_.Get(kube::resources::kSecrets, "limen-system", "limen-webhook-certs");
    EXPECT_TRUE(s.ok());
    SecretData out;
    if (!s.ok()) return out;
    for (const auto& [k, v] : (*s)["data"].items()) {
      out[k] = kube::Base64Decode(v.get<std::string>()).value_or("<bad>");
    }
    return out;
  }

  // The caBundle of every webhook entry of both configurations (decoded).
  std::vector<std::string> Bundles() {
    std::vector<std::string> out;
    for (const auto* r : {&resources::kMutatingWebhookConfigurations,
                          &resources::kValidatingWebhookConfigurations}) {
      auto c = fake_.Get(*r, "", "limen");
      EXPECT_TRUE(c.ok());
      for (const auto& w : (*c)["webhooks"]) {
        out.push_back(kube::Base64Decode(w["clientConfig"].value("caBundle", std::string()))
                          .value_or("<bad>"));
      }
    }
    return out;
  }

  std::string dir_;
  FakeClient fake_;
  TestClient client_{fake_};
  kube::FakeClock clock_;
};

TEST_F(CertManagerTest, BootstrapsSecretFilesAndEveryCaBundle) {
  prometheus::Registry registry;
  AdmissionMetrics metrics(registry);
  int written = 0;
  auto o = Opts("a");
  o.on_files_written = [&written] { ++written; };
  CertManager m(client_, o, &metrics, nullptr, clock_);
  auto next = m.SyncOnce();
  ASSERT_TRUE(next.ok()) << next.status().message();
  EXPECT_TRUE(m.HasCertificate());
  EXPECT_EQ(written, 1);

  SecretData data = SecretContents();
  for (const char* k : {kSecretCaCert, kSecretCaKey, kSecretTlsCert, kSecretTlsKey}) {
    EXPECT_FALSE(data[k].empty()) << k;
  }
  EXPECT_EQ(data.count(kSecretNextCaCert), 0u);
  EXPECT_EQ(ReadFile(o.cert_file), data[kSecretTlsCert]);
  EXPECT_EQ(ReadFile(o.key_file), data[kSecretTlsKey]);
  EXPECT_TRUE(CheckIssuedBy(data[kSecretTlsCert], data[kSecretCaCert]).ok());
  const auto bundles = Bundles();
  ASSERT_EQ(bundles.size(), 3u);
  for (const auto& b : bundles) EXPECT_EQ(b, data[kSecretCaCert]);
  EXPECT_EQ(MetricValue(registry, "limen_webhook_certificate_rotations_total", "Bootstrap"), 1);
  EXPECT_EQ(MetricValue(registry, "limen_webhook_ca_bundle_patches_total"), 2);
  // Next pass due at the serving certificate's renew time (T+70 s), capped by resync (30 s).
  EXPECT_EQ(*next, clock_.Now() + seconds(30));

  // A second pass changes nothing: no Secret write, no patch, no file write.
  const int updates = fake_.CallCount("update");
  ASSERT_TRUE(m.SyncOnce().ok());
  EXPECT_EQ(fake_.CallCount("update"), updates);
  EXPECT_EQ(written, 1);
  EXPECT_EQ(MetricValue(registry, "limen_webhook_ca_bundle_patches_total"), 2);
}

TEST_F(CertManagerTest, ConcurrentBootstrapConvergesOnTheWinnersCa) {
  prometheus::Registry ra, rb;
  AdmissionMetrics ma(ra), mb(rb);
  CertManager a(client_, Opts("a"), &ma, nullptr, clock_);
  TestClient client_b(fake_);
  CertManager b(client_b, Opts("b"), &mb, nullptr, clock_);
  // b reads "no Secret", generates its own CA — and a creates the Secret just before b does.
  client_b.before_secret_write = [&a] { ASSERT_TRUE(a.SyncOnce().ok()); };
  ASSERT_TRUE(b.SyncOnce().ok());

  const SecretData data = SecretContents();
  EXPECT_EQ(ReadFile(dir_ + "/a.crt"), data.at(kSecretTlsCert));
  EXPECT_EQ(ReadFile(dir_ + "/b.crt"), data.at(kSecretTlsCert)) << "b adopted a's certificate";
  for (const auto& bundle : Bundles()) EXPECT_EQ(bundle, data.at(kSecretCaCert));
  EXPECT_EQ(MetricValue(ra, "limen_webhook_certificate_rotations_total", "Bootstrap"), 1);
  EXPECT_EQ(MetricValue(rb, "limen_webhook_certificate_rotations_total", "Bootstrap"), 0);
  EXPECT_EQ(MetricValue(rb, "limen_webhook_certificate_secret_conflicts_total"), 1);
}

TEST_F(CertManagerTest, ConcurrentRenewalLoserAdopts) {
  prometheus::Registry ra, rb;
  AdmissionMetrics ma(ra), mb(rb);
  CertManager a(client_, Opts("a"), &ma, nullptr, clock_);
  TestClient client_b(fake_);
  CertManager b(client_b, Opts("b"), &mb, nullptr, clock_);
  ASSERT_TRUE(a.SyncOnce().ok());
  ASSERT_TRUE(b.SyncOnce().ok());
  const std::string first = SecretContents()[kSecretTlsCert];
  clock_.Advance(seconds(75));  // both see the serving certificate in its renew window
  client_b.before_secret_write = [&a] { ASSERT_TRUE(a.SyncOnce().ok()); };
  ASSERT_TRUE(b.SyncOnce().ok());
  const std::string renewed = SecretContents()[kSecretTlsCert];
  EXPECT_NE(renewed, first);
  EXPECT_EQ(ReadFile(dir_ + "/a.crt"), renewed);
  EXPECT_EQ(ReadFile(dir_ + "/b.crt"), renewed);
  EXPECT_EQ(MetricValue(ra, "limen_webhook_certificate_rotations_total", "IssueServing"), 1);
  EXPECT_EQ(MetricValue(rb, "limen_webhook_certificate_rotations_total", "IssueServing"), 0);
  EXPECT_EQ(MetricValue(rb, "limen_webhook_certificate_secret_conflicts_total"), 1);
}

// Passes every 2 s of fake time over two CA lifetimes. At every pass the certificate in
// the files must chain to a CA of the bundle every webhook entry carries; and a certificate
// from a new CA is served only after the bundle with that CA was published ≥ 10 s earlier.
TEST_F(CertManagerTest, RotationsKeepTheServedCertificateTrusted) {
  prometheus::Registry registry;
  AdmissionMetrics metrics(registry);
  auto o = Opts("a");
  CertManager m(client_, o, &metrics, nullptr, clock_);
  std::map<std::string, TimePoint> ca_first_published;  // CA PEM → first seen in the bundle
  std::string bootstrap_ca, last_ca;
  int ca_changes = 0, max_bundle = 0;
  const std::string end = "-----END CERTIFICATE-----\n";
  for (int i = 0; i < 1100; ++i) {
    auto r = m.SyncOnce();
    ASSERT_TRUE(r.ok()) << r.status().message();
    const SecretData data = SecretContents();
    if (bootstrap_ca.empty()) bootstrap_ca = data.at(kSecretCaCert);
    const auto bundles = Bundles();
    for (const auto& b : bundles) ASSERT_EQ(b, bundles[0]);
    const std::string& bundle = bundles[0];
    int in_bundle = 0;
    size_t start = 0;
    for (size_t pos; (pos = bundle.find(end, start)) != std::string::npos;
         start = pos + end.size()) {
      ca_first_published.emplace(bundle.substr(start, pos + end.size() - start), clock_.Now());
      ++in_bundle;
    }
    max_bundle = std::max(max_bundle, in_bundle);
    const std::string served = ReadFile(o.cert_file);
    std::optional<TimePoint> issuer_published;
    std::string issuer;
    for (const auto& [ca, since] : ca_first_published) {
      if (bundle.find(ca) != std::string::npos && CheckIssuedBy(served, ca).ok()) {
        issuer = ca;
        issuer_published = since;
      }
    }
    ASSERT_TRUE(issuer_published) << "pass " << i << ": the served certificate is not trusted";
    if (issuer != bootstrap_ca) {
      EXPECT_GE(clock_.Now() - *issuer_published, seconds(10))
          << "pass " << i << ": served from a CA published less than the propagation delay ago";
    }
    if (data.at(kSecretCaCert) != last_ca) {
      if (!last_ca.empty()) ++ca_changes;
      last_ca = data.at(kSecretCaCert);
    }
    clock_.Advance(seconds(2));
  }
  EXPECT_GE(ca_changes, 2);
  EXPECT_EQ(max_bundle, 2);
  EXPECT_GE(MetricValue(registry, "limen_webhook_certificate_rotations_total", "SwitchCa"), 2);
  EXPECT_GE(MetricValue(registry, "limen_webhook_certificate_rotations_total", "RetirePreviousCa"),
            2);
  EXPECT_GE(MetricValue(registry, "limen_webhook_certificate_rotations_total", "IssueServing"), 20);
  EXPECT_GT(MetricValue(registry, "limen_webhook_ca_expiry_timestamp_seconds"), 0);
}

TEST_F(CertManagerTest, CorruptSecretIsRegeneratedWithAWarningEvent) {
  kube::EventRecorder events(fake_, {"limen.dev/webhook", "test"}, clock_);
  prometheus::Registry registry;
  AdmissionMetrics metrics(registry);
  kube::Object secret = {
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"metadata", {{"name", "limen-webhook-certs"}, {"namespace", "limen-system"}}},
      {"data",
       {{"ca.crt", kube::Base64Encode("-----BEGIN CERTIFICATE-----\ngarbage\n")},
        {"ca.key", "!!not base64!!"},
        {"tls.crt", kube::Base64Encode("x")}}}};
  ASSERT_TRUE(fake_.Create(kube::resources::kSecrets, "limen-system", secret).ok());
  CertManager m(client_, Opts("a"), &metrics, &events, clock_);
  auto r = m.SyncOnce();
  ASSERT_TRUE(r.ok()) << r.status().message();
  const SecretData data = SecretContents();
  const SecretView view = InspectSecret(&data);
  EXPECT_TRUE(view.problems.empty());
  ASSERT_TRUE(view.serving);
  EXPECT_TRUE(view.serving->issued_by_active);
  events.Flush();
  std::string reasons;
  for (const auto& e : fake_.Objects(kube::resources::kEvents)) {
    reasons += e.value("reason", "") + ":" + e.value("type", "") + " " + e.value("note", "") + "\n";
  }
  EXPECT_NE(reasons.find("InvalidCertificateData:Warning"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("ca.key: not base64"), std::string::npos) << reasons;
  EXPECT_NE(reasons.find("CertificatesRegenerated"), std::string::npos) << reasons;
}

TEST_F(CertManagerTest, BundlePatchRaceFailsCleanlyAndTheNextPassRepairs) {
  prometheus::Registry registry;
  AdmissionMetrics metrics(registry);
  CertManager m(client_, Opts("a"), &metrics, nullptr, clock_);
  // Someone else sets a caBundle between our read of the configuration and our patch:
  // the `test` op fails (422) instead of silently overwriting it.
  client_.before_patch = [this] {
    auto c = fake_.Get(resources::kMutatingWebhookConfigurations, "", "limen");
    ASSERT_TRUE(c.ok());
    (*c)["webhooks"][0]["clientConfig"]["caBundle"] = kube::Base64Encode("someone else's");
    ASSERT_TRUE(fake_.Update(resources::kMutatingWebhookConfigurations, "", *c).ok());
  };
  auto r = m.SyncOnce();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(MetricValue(registry, "limen_webhook_certificate_manager_errors_total", "bundle_patch"),
            1);
  ASSERT_TRUE(m.SyncOnce().ok());
  const SecretData data = SecretContents();
  for (const auto& b : Bundles()) EXPECT_EQ(b, data.at(kSecretCaCert));
}

TEST_F(CertManagerTest, MissingWebhookConfigurationIsNotAnError) {
  CertManager::Options o = Opts("a");
  o.mutating_webhook_configuration = "absent";
  CertManager m(client_, o, nullptr, nullptr, clock_);
  ASSERT_TRUE(m.SyncOnce().ok());
  EXPECT_TRUE(m.HasCertificate());
}

TEST_F(CertManagerTest, ApiErrorsAreReturnedAndCounted) {
  prometheus::Registry registry;
  AdmissionMetrics metrics(registry);
  fake_.SetFault(
      [](const std::string& verb, const kube::Resource& r) -> std::optional<kube::ApiError> {
        if (verb == "create" && r == kube::resources::kSecrets) {
          return kube::ApiError{403, "Forbidden", "secrets is forbidden", nullptr, std::nullopt};
        }
        return std::nullopt;
      });
  CertManager m(client_, Opts("a"), &metrics, nullptr, clock_);
  auto r = m.SyncOnce();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("forbidden"), std::string::npos) << r.status().message();
  EXPECT_FALSE(m.HasCertificate());
  EXPECT_EQ(MetricValue(registry, "limen_webhook_certificate_manager_errors_total", "secret_write"),
            1);
}

}  // namespace
}  // namespace limen::webhook

// The WasmFilter controller in-process, with real informers and kube::HttpClient, against the
// fixture control plane (ctest fixture `cluster`): the C proxy-wasm sample in a ConfigMap
// becomes Validated with its sha256/size/exports; truncating the ConfigMap's bytes flips it to
// not Validated with the reason, fixing them flips it back; a missing ConfigMap recovers when
// it appears; an image pinned by tag is refused; an unchanged status is never rewritten.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <span>
#include <thread>

#include <prometheus/registry.h>

#include "cluster.h"
#include "cluster_suite.h"
#include "limen/kube/controller.h"
#include "limen/kube/event_recorder.h"
#include "limen/kube/informer.h"
#include "limen/reconcilers/wasmfilter/controller.h"
#include "limen/wasm/validator.h"

namespace limen::reconcilers::wasmfilter {
namespace {

using namespace std::chrono_literals;
using kube::Object;
namespace t = limen::reconcilers::testing;

constexpr auto kTimeout = 60s;

class WasmFilterIntegrationTest : public t::ClusterSuite {
 protected:
  void SetUp() override {
    ASSERT_NE(client_, nullptr);
    auto ns = t::CreateTestNamespace(*client_, "wasmf");
    ASSERT_TRUE(ns.ok()) << ns.status().ToString();
    ns_ = *ns;
    kube::InformerOptions indexed = t::InNamespace(ns_);
    indexed.indexers = FilterIndexers();
    filters_ = std::make_unique<kube::Informer>(*client_, kWasmFilters, std::move(indexed));
    config_maps_ = std::make_unique<kube::Informer>(*client_, kube::resources::kConfigMaps,
                                                    t::InNamespace(ns_));
    recorder_ =
        std::make_unique<kube::EventRecorder>(*client_, t::RecorderOptions("wasmfilter-test"));
    Config config;
    config.max_module_size = 1 << 20;
    controller_ =
        WasmFilterController::Create(Dependencies{*client_, *filters_, *config_maps_, *recorder_,
                                                  kube::RealClock::Instance(), registry_, 2},
                                     config);
    filters_->Run();
    config_maps_->Run();
    ASSERT_TRUE(filters_->WaitForSync(30s));
    ASSERT_TRUE(config_maps_->WaitForSync(30s));
    controller_->Start();
  }

  void TearDown() override {
    // Informers first: their handlers hold references into the controller.
    if (filters_) filters_->Stop();
    if (config_maps_) config_maps_->Stop();
    if (controller_) controller_->Stop();
    if (recorder_) recorder_->Shutdown();
    if (!ns_.empty()) t::DeleteTestNamespace(*client_, ns_);
  }

  void PutConfigMap(const std::string& name, const std::string& key, const std::string& bytes) {
    Status s = t::PutBinaryConfigMap(*client_, ns_, name, key, bytes);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void CreateFilter(const std::string& name, const Object& source, const std::string& abi,
                    const std::string& sha256 = "") {
    Object f = {{"apiVersion", "limen.dev/v1alpha1"},
                {"kind", "WasmFilter"},
                {"metadata", {{"name", name}, {"namespace", ns_}}},
                {"spec", {{"source", source}, {"abi", abi}}}};
    if (!sha256.empty()) f["spec"]["sha256"] = sha256;
    auto r = client_->Create(kWasmFilters, ns_, f);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
  }

  // Polls the filter until its Validated condition has `status` (and `reason`, if given);
  // returns the object ({} on timeout, with a test failure naming the last status seen).
  Object WaitForValidated(const std::string& name, const std::string& status,
                          const std::string& reason = "") {
    Object last;
    const bool ok = t::Eventually(
        [&] {
          auto got = client_->Get(kWasmFilters, ns_, name);
          if (!got.ok()) return false;
          last = *got;
          const Object st = last.value("status", Object::object());
          for (const auto& c : st.value("conditions", Object::array())) {
            if (c.value("type", "") == "Validated" && c.value("status", "") == status &&
                (reason.empty() || c.value("reason", "") == reason)) {
              return true;
            }
          }
          return false;
        },
        kTimeout);
    EXPECT_TRUE(ok) << name << " never reached Validated=" << status << " " << reason
                    << "; last: " << last.dump();
    return ok ? last : Object::object();
  }

  // The reasons of the Events recorded about `name`, once per occurrence (an isomorphic
  // Event is written once with series.count, as client-go does).
  std::vector<std::string> EventReasons(const std::string& name) {
    recorder_->Flush();
    std::vector<std::string> reasons;
    auto list = client_->List(kube::resources::kEvents, ns_);
    if (!list.ok()) return reasons;
    for (const Object& e : list->items) {
      if (e.value("regarding", Object::object()).value("name", "") != name) continue;
      int64_t n = 1;
      if (e.contains("series") && e["series"].is_object()) n = e["series"].value("count", 1);
      for (int64_t i = 0; i < n; ++i) reasons.push_back(e.value("reason", ""));
    }
    std::sort(reasons.begin(), reasons.end());
    return reasons;
  }

  double Reconciles() {
    double total = 0;
    for (const auto& family : registry_.Collect()) {
      if (family.name != "controller_runtime_reconcile_total") continue;
      for (const auto& m : family.metric) total += m.counter.value;
    }
    return total;
  }

  std::string SampleSha() const {
    return wasm::Sha256Hex(
        std::span(reinterpret_cast<const uint8_t*>(sample_->data()), sample_->size()));
  }

  std::string ns_;
  prometheus::Registry registry_;
  std::unique_ptr<kube::Informer> filters_;
  std::unique_ptr<kube::Informer> config_maps_;
  std::unique_ptr<kube::EventRecorder> recorder_;
  std::unique_ptr<WasmFilterController> controller_;
};

Object ConfigMapSource(const std::string& name, const std::string& key) {
  return {{"configMap", {{"name", name}, {"key", key}}}};
}

bool Contains(const Object& list, const std::string& item) {
  if (!list.is_array()) return false;
  for (const auto& i : list) {
    if (i == item) return true;
  }
  return false;
}

TEST_F(WasmFilterIntegrationTest, ConfigMapModuleValidatesBreaksAndRecovers) {
  PutConfigMap("modules", "filter.wasm", *sample_);
  CreateFilter("c-filter", ConfigMapSource("modules", "filter.wasm"), "proxy-wasm");

  Object f = WaitForValidated("c-filter", "True", "Valid");
  ASSERT_FALSE(f.empty());
  const Object& st = f["status"];
  EXPECT_EQ(st.value("sha256", ""), SampleSha());
  EXPECT_EQ(st.value("size", int64_t{0}), static_cast<int64_t>(sample_->size()));
  EXPECT_EQ(st.value("abi", ""), "proxy-wasm");
  const Object exports = st.value("exports", Object::array());
  EXPECT_TRUE(Contains(exports, "proxy_abi_version_0_2_1 (function)")) << st.dump();
  EXPECT_TRUE(Contains(exports, "proxy_on_memory_allocate (function)") ||
              Contains(exports, "malloc (function)"))
      << st.dump();
  EXPECT_EQ(st.value("observedGeneration", int64_t{-1}), f["metadata"].value("generation", 0));
  EXPECT_FALSE(st.contains("reason")) << st.dump();
  const std::string valid_since = st["conditions"][0].value("lastTransitionTime", "");

  // A change to the ConfigMap that leaves the module alone: reconciled, status not rewritten.
  const std::string rv = f["metadata"].value("resourceVersion", "");
  const double before = Reconciles();
  {
    auto cm = client_->Get(kube::resources::kConfigMaps, ns_, "modules");
    ASSERT_TRUE(cm.ok());
    (*cm)["metadata"]["labels"] = {{"touched", "yes"}};
    ASSERT_TRUE(client_->Update(kube::resources::kConfigMaps, ns_, *cm).ok());
  }
  ASSERT_TRUE(t::Eventually([&] { return Reconciles() > before; }, kTimeout));
  auto again = client_->Get(kWasmFilters, ns_, "c-filter");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)["metadata"].value("resourceVersion", ""), rv)
      << "an unchanged status was rewritten";

  // Corrupt: the module cut to 100 bytes.
  PutConfigMap("modules", "filter.wasm", sample_->substr(0, 100));
  f = WaitForValidated("c-filter", "False", "InvalidModule");
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f["status"].value("size", int64_t{0}), 100);
  const std::string why = f["status"].value("reason", "");
  EXPECT_NE(why.find("ConfigMap " + ns_ + "/modules key filter.wasm"), std::string::npos) << why;
  EXPECT_NE(why.find("offset"), std::string::npos) << why;
  EXPECT_FALSE(f["status"].contains("abi")) << f["status"].dump();

  // Fixed: Validated again, with a new transition time.
  PutConfigMap("modules", "filter.wasm", *sample_);
  f = WaitForValidated("c-filter", "True", "Valid");
  ASSERT_FALSE(f.empty());
  EXPECT_EQ(f["status"].value("sha256", ""), SampleSha());
  EXPECT_FALSE(f["status"].contains("reason"));
  EXPECT_GE(f["status"]["conditions"][0].value("lastTransitionTime", ""), valid_since);

  // The reconciler records each Event after the status write the waits saw: poll.
  std::vector<std::string> reasons;
  for (int i = 0; i < 100; ++i) {
    reasons = EventReasons("c-filter");
    if (std::count(reasons.begin(), reasons.end(), "Validated") >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(std::count(reasons.begin(), reasons.end(), "Validated"), 2)
      << ::testing::PrintToString(reasons);
  EXPECT_EQ(std::count(reasons.begin(), reasons.end(), "ValidationFailed"), 1);
}

TEST_F(WasmFilterIntegrationTest, WrongAbiAndWrongDigestAreRejectedWithTheReason) {
  PutConfigMap("modules", "filter.wasm", *sample_);
  CreateFilter("as-wasi", ConfigMapSource("modules", "filter.wasm"), "wasi");
  CreateFilter("bad-sha", ConfigMapSource("modules", "filter.wasm"), "proxy-wasm",
               std::string(64, 'a'));
  Object wasi = WaitForValidated("as-wasi", "False", "AbiMismatch");
  EXPECT_EQ(wasi["status"].value("abi", ""), "proxy-wasm") << "the detected ABI";
  EXPECT_NE(wasi["status"].value("reason", "").find("wasi:"), std::string::npos);
  Object sha = WaitForValidated("bad-sha", "False", "Sha256Mismatch");
  EXPECT_EQ(sha["status"].value("sha256", ""), SampleSha());
}

TEST_F(WasmFilterIntegrationTest, MissingConfigMapOrKeyRecoversWhenItAppears) {
  CreateFilter("late", ConfigMapSource("later", "m.wasm"), "proxy-wasm");
  Object f = WaitForValidated("late", "False", "ConfigMapNotFound");
  EXPECT_NE(f["status"].value("reason", "").find("ConfigMap " + ns_ + "/later"), std::string::npos);
  PutConfigMap("later", "other.wasm", *sample_);
  WaitForValidated("late", "False", "KeyNotFound");
  PutConfigMap("later", "m.wasm", *sample_);
  WaitForValidated("late", "True", "Valid");
}

TEST_F(WasmFilterIntegrationTest, ImageSourceNeedsADigest) {
  CreateFilter("tagged", {{"image", {{"reference", "ghcr.io/acme/authz:1.4.0"}}}}, "proxy-wasm");
  Object f = WaitForValidated("tagged", "False", "ImageNotPinnedByDigest");
  const std::string why = f["status"].value("reason", "");
  EXPECT_NE(why.find("pinned by tag \"1.4.0\""), std::string::npos) << why;
  EXPECT_NE(why.find("ghcr.io/acme/authz@sha256:"), std::string::npos) << why;
  // The reconciler records the Event after writing the status the wait above saw: poll.
  std::vector<std::string> reasons;
  for (int i = 0; i < 100 && (reasons = EventReasons("tagged")).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(reasons, std::vector<std::string>{"ValidationFailed"});

  CreateFilter("pinned",
               {{"image", {{"reference", "ghcr.io/acme/authz@sha256:" + std::string(64, 'b')}}}},
               "proxy-wasm", std::string(64, 'c'));
  f = WaitForValidated("pinned", "True", "ImagePinned");
  EXPECT_FALSE(f["status"].contains("sha256")) << "nothing was fetched, so nothing measured";
}

}  // namespace
}  // namespace limen::reconcilers::wasmfilter

// limen-operator (the real binary) starts the WasmFilter and ResiliencePolicy controllers, on
// the real local control plane (ctest fixture `cluster`, kube-controller-manager included):
//   - a WasmFilter whose (unlabelled) ConfigMap holds the C proxy-wasm sample becomes
//     Validated with the module's sha256 and size; garbage in the ConfigMap flips it to
//     Validated=False with the reason, the sample flips it back — the operator's ConfigMap
//     cache holds metadata only, so this is the re-validation on a resourceVersion change;
//   - a ResiliencePolicy referencing it gets limen-<policy>-sidecar: status.renderedConfig
//     {name, hash} equals the ConfigMap's name and limen.dev/config-hash annotation, the
//     ConfigMap is owner-referenced; matchedWorkloads/injectedPods count a Pod that carries
//     "<policy>@<hash>"; the filter turning invalid makes the policy Ready=False (reason
//     WasmFilterNotValidated) and leaves its ConfigMap alone, turning valid renders it again;
//   - Events on each transition; controller metrics for both controllers; no status is
//     rewritten while nothing changes;
//   - deleting the policy garbage-collects its ConfigMap (kube-controller-manager's GC);
//   - with two replicas only the leader writes the new kinds' status.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <set>
#include <thread>

#include "cluster.h"
#include "cluster_suite.h"
#include "limen/kube/http_client.h"
#include "operator_process.h"

namespace limen::op {
namespace {

using namespace std::chrono_literals;
using kube::Object;
using testing::OperatorProcess;
namespace t = limen::reconcilers::testing;

constexpr auto kTimeout = 60s;
const kube::Resource kWasmFilters{"limen.dev", "v1alpha1", "wasmfilters", "WasmFilter", true};
const kube::Resource kResiliencePolicies{"limen.dev", "v1alpha1", "resiliencepolicies",
                                         "ResiliencePolicy", true};

std::string Sha256Hex(const std::string& bytes) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof(buf), "%02x", md[i]);
    hex += buf;
  }
  return hex;
}

std::string Condition(const Object& obj, const std::string& type) {
  for (const auto& c : obj.value("/status/conditions"_json_pointer, Object::array())) {
    if (c.value("type", "") == type) return c.value("status", "") + "/" + c.value("reason", "");
  }
  return "";
}

std::string ConditionMessage(const Object& obj, const std::string& type) {
  for (const auto& c : obj.value("/status/conditions"_json_pointer, Object::array())) {
    if (c.value("type", "") == type) return c.value("message", "");
  }
  return "";
}

std::set<std::string> StatusManagers(const Object& obj) {
  std::set<std::string> out;
  for (const auto& m : obj.value("/metadata/managedFields"_json_pointer, Object::array())) {
    if (m.value("subresource", "") == "status") out.insert(m.value("manager", ""));
  }
  return out;
}

class PolicyIntegrationTest : public t::ClusterSuite {
 protected:
  void SetUp() override {
    ASSERT_NE(client_, nullptr);
    // NOLINTNEXTLINE(concurrency-mt-unsafe): tests never modify their environment.
    ASSERT_NE(std::getenv("LIMEN_OPERATOR_BIN"), nullptr);
    auto ns = t::CreateTestNamespace(*client_, "oppol");
    ASSERT_TRUE(ns.ok()) << ns.status().ToString();
    ns_ = *ns;
    char tmpl[] = "/tmp/limen-operator-policy-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override {
    if (!ns_.empty()) t::DeleteTestNamespace(*client_, ns_);
  }

  std::unique_ptr<OperatorProcess> Start(const std::string& name,
                                         const std::string& field_manager = "limen-operator") {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): tests never modify their environment.
    const std::string kubeconfig = std::string(std::getenv("LIMEN_CLUSTER_DIR")) + "/kubeconfig";
    const std::string config = "kubeconfig: " + kubeconfig + "\nwatchNamespace: " + ns_ +
                               "\nleaderElection: {namespace: " + ns_ +
                               ", leaseDuration: 4s, renewDeadline: 3s, retryPeriod: 1s}\n"
                               "logFormat: text\nlogLevel: debug\nfieldManager: " +
                               field_manager +
                               "\nreconcilers:\n  resiliencePolicy: {appPorts: [8080]}\n"
                               "  wasmFilter: {maxModuleSize: 1Mi}\n";
    auto p = std::make_unique<OperatorProcess>(dir_, name, config,
                                               std::vector<std::string>{"--identity", name});
    EXPECT_GT(p->pid(), 0);
    EXPECT_TRUE(p->WaitReady(60s)) << p->Log();
    return p;
  }

  void PutConfigMap(const std::string& bytes) {
    Status s = t::PutBinaryConfigMap(*client_, ns_, "modules", "authz.wasm", bytes);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  void CreateFilter(const std::string& name, const Object& source) {
    auto r = client_->Create(kWasmFilters, ns_,
                             {{"apiVersion", "limen.dev/v1alpha1"},
                              {"kind", "WasmFilter"},
                              {"metadata", {{"name", name}}},
                              {"spec", {{"source", source}, {"abi", "proxy-wasm"}}}});
    ASSERT_TRUE(r.ok()) << r.error().ToString();
  }

  // ResiliencePolicy checkout: Pods app=web, one upstream, the WasmFilter authz.
  kube::ApiResult<Object> CreatePolicy() {
    Object spec = {
        {"selector", {{"matchLabels", {{"app", "web"}}}}},
        {"upstreams", Object::array({{{"name", "pay"}, {"host", "pay.shop.svc"}, {"port", 80}}})},
        {"wasmFilters", Object::array({{{"name", "authz"}}})}};
    return client_->Create(kResiliencePolicies, ns_,
                           {{"apiVersion", "limen.dev/v1alpha1"},
                            {"kind", "ResiliencePolicy"},
                            {"metadata", {{"name", "checkout"}}},
                            {"spec", spec}});
  }

  // A Pod nobody schedules, as the webhook would have left it. Retried while the namespace's
  // default ServiceAccount does not exist yet (the ServiceAccount admission plugin refuses
  // Pods until kube-controller-manager has created it).
  void CreatePod(const std::string& name, const Object& labels, const Object& annotations) {
    const Object pod = {
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", {{"name", name}, {"labels", labels}, {"annotations", annotations}}},
        {"spec",
         {{"schedulerName", "limen-test-nobody"},
          {"containers", Object::array({{{"name", "app"}, {"image", "app:1"}}})}}}};
    std::string last;
    const bool ok = t::Eventually(
        [&] {
          auto r = client_->Create(kube::resources::kPods, ns_, pod);
          if (!r.ok()) last = r.error().ToString();
          return r.ok();
        },
        30s, 250ms);
    ASSERT_TRUE(ok) << last;
  }

  // The value of one exposition line "series value"; -1 when absent.
  static double MetricValue(const std::string& metrics, const std::string& series) {
    const size_t at = metrics.find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(metrics.substr(at + series.size() + 2));
  }

  // Polls `name` of `r` until `pred` holds; the last object seen (and a failure) otherwise.
  Object WaitFor(const kube::Resource& r, const std::string& name,
                 const std::function<bool(const Object&)>& pred, const std::string& what) {
    Object last;
    const bool ok = t::Eventually(
        [&] {
          auto got = client_->Get(r, ns_, name);
          if (!got.ok()) return false;
          last = *got;
          return pred(last);
        },
        kTimeout, 200ms);
    EXPECT_TRUE(ok) << "timed out waiting for " << what << "; last: " << last.dump(2);
    return last;
  }

  std::multiset<std::string> EventReasons(const std::string& kind, const std::string& name) {
    std::multiset<std::string> reasons;
    kube::ListOptions o;
    o.field_selector = "regarding.kind=" + kind + ",regarding.name=" + name;
    auto list = client_->List(kube::resources::kEvents, ns_, o);
    if (list.ok()) {
      for (const auto& e : list->items) reasons.insert(e.value("reason", ""));
    }
    return reasons;
  }

  std::string ns_, dir_;
};

const Object kModulesSource = {{"configMap", {{"name", "modules"}, {"key", "authz.wasm"}}}};

TEST_F(PolicyIntegrationTest, FilterValidationDrivesThePolicysRenderedConfig) {
  auto op = Start("op-policy");
  PutConfigMap(*sample_);
  CreateFilter("authz", kModulesSource);

  Object filter = WaitFor(
      kWasmFilters, "authz",
      [](const Object& f) { return Condition(f, "Validated") == "True/Valid"; }, "Validated");
  EXPECT_EQ(filter.value("/status/sha256"_json_pointer, ""), Sha256Hex(*sample_));
  EXPECT_EQ(filter.value("/status/size"_json_pointer, int64_t{0}),
            static_cast<int64_t>(sample_->size()));
  EXPECT_EQ(filter.value("/status/observedGeneration"_json_pointer, 0), 1);

  // A pod of the policy's selector, carrying the sidecar of a rendering (the webhook's job).
  auto created = CreatePolicy();
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  const std::string policy_uid = (*created)["metadata"]["uid"];
  Object policy = WaitFor(
      kResiliencePolicies, "checkout",
      [](const Object& p) {
        return Condition(p, "Ready") == "True/Rendered" &&
               !p.value("/status/renderedConfig/hash"_json_pointer, "").empty();
      },
      "Rendered");
  const std::string hash = policy["status"]["renderedConfig"]["hash"];
  EXPECT_EQ(policy["status"]["renderedConfig"]["name"], "limen-checkout-sidecar");
  EXPECT_EQ(policy["status"]["observedGeneration"], 1);
  EXPECT_EQ(policy.value("/status/matchedWorkloads"_json_pointer, 0), 0);  // 0 is omitted
  auto cm = client_->Get(kube::resources::kConfigMaps, ns_, "limen-checkout-sidecar");
  ASSERT_TRUE(cm.ok()) << cm.error().ToString();
  EXPECT_EQ(cm->value("/metadata/annotations/limen.dev~1config-hash"_json_pointer, ""), hash);
  EXPECT_EQ(cm->value("/metadata/labels/app.kubernetes.io~1managed-by"_json_pointer, ""), "limen");
  EXPECT_EQ(cm->value("/metadata/ownerReferences/0/uid"_json_pointer, ""), policy_uid);
  EXPECT_EQ(cm->value("/metadata/ownerReferences/0/controller"_json_pointer, false), true);
  const std::string bootstrap = cm->value("/data/envoy.json"_json_pointer, "");
  EXPECT_NE(bootstrap.find("envoy.filters.http.wasm"), std::string::npos);
  EXPECT_NE(bootstrap.find("/var/run/limen/wasm/authz/module.wasm"), std::string::npos);
  EXPECT_NE(bootstrap.find(Sha256Hex(*sample_)), std::string::npos);

  CreatePod("web-0", {{"app", "web"}}, {{"limen.dev/injected", "checkout@" + hash}});
  CreatePod("web-1", {{"app", "web"}}, {{"limen.dev/injected", "checkout@0123456789abcdef"}});
  policy = WaitFor(
      kResiliencePolicies, "checkout",
      [](const Object& p) {
        return p.value("/status/matchedWorkloads"_json_pointer, 0) == 2 &&
               p.value("/status/injectedPods"_json_pointer, 0) == 1;
      },
      "matchedWorkloads=2 (two bare Pods), injectedPods=1 (one with the current hash)");

  // Nothing changes: nothing is rewritten (resourceVersions stay).
  std::this_thread::sleep_for(3s);
  const std::string filter_rv =
      client_->Get(kWasmFilters, ns_, "authz")->value("/metadata/resourceVersion"_json_pointer, "");
  const std::string policy_rv = client_->Get(kResiliencePolicies, ns_, "checkout")
                                    ->value("/metadata/resourceVersion"_json_pointer, "");
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(
      client_->Get(kWasmFilters, ns_, "authz")->value("/metadata/resourceVersion"_json_pointer, ""),
      filter_rv);
  EXPECT_EQ(client_->Get(kResiliencePolicies, ns_, "checkout")
                ->value("/metadata/resourceVersion"_json_pointer, ""),
            policy_rv);

  // Garbage in the ConfigMap: the filter is not Validated, with the reason; the policy
  // cannot render and its ConfigMap stays as it was.
  PutConfigMap("this is not a WebAssembly module");
  filter = WaitFor(
      kWasmFilters, "authz",
      [](const Object& f) { return Condition(f, "Validated") == "False/InvalidModule"; },
      "Validated=False/InvalidModule");
  EXPECT_NE(ConditionMessage(filter, "Validated").find("magic"), std::string::npos)
      << ConditionMessage(filter, "Validated");
  EXPECT_NE(filter.value("/status/reason"_json_pointer, ""), "");
  policy = WaitFor(
      kResiliencePolicies, "checkout",
      [](const Object& p) { return Condition(p, "Ready") == "False/WasmFilterNotValidated"; },
      "Ready=False/WasmFilterNotValidated");
  EXPECT_EQ(policy["status"]["renderedConfig"]["hash"], hash);
  cm = client_->Get(kube::resources::kConfigMaps, ns_, "limen-checkout-sidecar");
  ASSERT_TRUE(cm.ok());
  EXPECT_EQ(cm->value("/metadata/annotations/limen.dev~1config-hash"_json_pointer, ""), hash);

  // The sample again: Validated, rendered again to the same bytes.
  PutConfigMap(*sample_);
  WaitFor(
      kWasmFilters, "authz",
      [](const Object& f) { return Condition(f, "Validated") == "True/Valid"; }, "Validated again");
  policy = WaitFor(
      kResiliencePolicies, "checkout",
      [](const Object& p) { return Condition(p, "Ready") == "True/Rendered"; }, "rendered again");
  EXPECT_EQ(policy["status"]["renderedConfig"]["hash"], hash);

  // Events for every transition.
  t::Eventually(
      [&] {
        auto r = EventReasons("WasmFilter", "authz");
        return r.count("Validated") >= 1 && r.count("ValidationFailed") >= 1 &&
               EventReasons("ResiliencePolicy", "checkout").count("RenderFailed") >= 1;
      },
      10s);
  const auto filter_events = EventReasons("WasmFilter", "authz");
  EXPECT_GE(filter_events.count("Validated"), 1u);
  EXPECT_EQ(filter_events.count("ValidationFailed"), 1u);
  const auto policy_events = EventReasons("ResiliencePolicy", "checkout");
  EXPECT_GE(policy_events.count("Rendered"), 1u);
  EXPECT_EQ(policy_events.count("RenderFailed"), 1u);

  // lib/kube's controller metrics for both controllers.
  const std::string metrics = op->Get("/metrics").second;
  for (const std::string c : {"wasmfilter", "resiliencepolicy"}) {
    EXPECT_GE(MetricValue(metrics, "controller_runtime_reconcile_total{controller=\"" + c +
                                       "\",result=\"success\"}"),
              3)
        << c << "\n"
        << metrics;
    EXPECT_GE(MetricValue(metrics, "workqueue_adds_total{name=\"" + c + "\"}"), 3) << c;
  }

  // The policy goes: the garbage collector takes its ConfigMap.
  kube::DeleteOptions d;
  d.propagation_policy = "Background";
  ASSERT_TRUE(client_->Delete(kResiliencePolicies, ns_, "checkout", d).ok());
  const bool collected = t::Eventually(
      [&] {
        auto got = client_->Get(kube::resources::kConfigMaps, ns_, "limen-checkout-sidecar");
        return !got.ok() && got.error().IsNotFound();
      },
      kTimeout, 200ms);
  EXPECT_TRUE(collected) << "limen-checkout-sidecar was not garbage-collected";

  op->Signal(SIGTERM);
  EXPECT_EQ(op->Wait(30s), 0) << op->Log();
}

TEST_F(PolicyIntegrationTest, OnlyTheLeaderWritesFilterAndPolicyStatus) {
  auto a = Start("op-a", "limen-operator-a");
  std::this_thread::sleep_for(2s);  // let a take the Lease first
  auto b = Start("op-b", "limen-operator-b");
  auto lease = client_->Get(kube::resources::kLeases, ns_, "limen-operator");
  ASSERT_TRUE(lease.ok());
  const std::string leader = lease->value("/spec/holderIdentity"_json_pointer, "");
  ASSERT_TRUE(leader == "op-a" || leader == "op-b") << leader;
  const std::string lead_fm = leader == "op-a" ? "limen-operator-a" : "limen-operator-b";

  PutConfigMap(*sample_);
  CreateFilter("authz", kModulesSource);
  auto created = CreatePolicy();
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  WaitFor(
      kResiliencePolicies, "checkout",
      [](const Object& p) { return Condition(p, "Ready") == "True/Rendered"; }, "Rendered");
  std::this_thread::sleep_for(2s);  // give a misbehaving follower time to write too
  auto filter = client_->Get(kWasmFilters, ns_, "authz");
  auto policy = client_->Get(kResiliencePolicies, ns_, "checkout");
  auto cm = client_->Get(kube::resources::kConfigMaps, ns_, "limen-checkout-sidecar");
  ASSERT_TRUE(filter.ok() && policy.ok() && cm.ok());
  EXPECT_EQ(StatusManagers(*filter), std::set<std::string>{lead_fm});
  EXPECT_EQ(StatusManagers(*policy), std::set<std::string>{lead_fm});
  std::set<std::string> cm_managers;
  for (const auto& m : cm->value("/metadata/managedFields"_json_pointer, Object::array())) {
    cm_managers.insert(m.value("manager", ""));
  }
  EXPECT_EQ(cm_managers, std::set<std::string>{lead_fm});
}

}  // namespace
}  // namespace limen::op

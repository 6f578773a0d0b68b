// limen-operator (the real binary) against the real local control plane, with the test
// playing kubelet (binding Pods, writing their status) and bpf-loader (writing
// NodeProbeStates through the status subresource):
//   - a Deployment's InstrumentedWorkload whose two criteria hold becomes Sustained after a
//     10 s sustainFor; breaking one criterion resets it; deleting the Deployment
//     garbage-collects it (kube-controller-manager's GC);
//   - SIGKILL and restart of the operator mid-window keeps metSince;
//   - with two replicas only the leader writes (field managers), and the follower takes
//     over when the leader stops (SIGTERM releases the Lease).
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <functional>
#include <random>
#include <set>
#include <thread>

#include "common/caches.h"
#include "limen/api/time.h"
#include "limen/kube/config.h"
#include "limen/kube/http_client.h"
#include "limen/testing/cluster_env.h"
#include "operator_process.h"
#include "yaml_json.h"

namespace limen::op {
namespace {

using namespace std::chrono_literals;
using kube::Object;
using testing::OperatorProcess;

const kube::Resource kCrds{"apiextensions.k8s.io", "v1", "customresourcedefinitions",
                           "CustomResourceDefinition", false};

std::string Now(std::chrono::seconds offset = 0s) {
  return api::FormatTime(api::TruncateToSeconds(std::chrono::system_clock::now() + offset));
}

class OperatorIntegrationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto env = limen::testing::LoadClusterEnv();
    ASSERT_TRUE(env.ok()) << env.status().ToString();
    env_ = new limen::testing::ClusterEnv(*env);
    kube::ConfigSources sources;
    sources.kubeconfig_path = env->kubeconfig;
    auto config = kube::LoadConfig(sources);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    auto client = kube::HttpClient::Create(*config);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = client->release();
    // The CRDs from crds/, server-side applied (other tests may have applied them too).
    for (const auto& file : api::testing::YamlFilesIn(api::testing::CrdDir())) {
      for (const auto& doc : api::testing::LoadYamlFile(file)) {
        if (doc.value("kind", "") != "CustomResourceDefinition") continue;
        kube::PatchOptions o;
        o.field_manager = "limen-operator-test";
        o.force = true;
        auto r =
            client_->Patch(kCrds, "", doc["metadata"]["name"], kube::PatchType::kApply, doc, o);
        ASSERT_TRUE(r.ok()) << file << ": " << r.error().ToString();
      }
    }
    for (const char* crd : {"observabilitypolicies.limen.dev", "resiliencepolicies.limen.dev",
                            "wasmfilters.limen.dev", "instrumentedworkloads.limen.dev",
                            "nodeprobestates.limen.dev"}) {
      bool established = false;
      for (int i = 0; i < 100 && !established; ++i) {
        auto got = client_->Get(kCrds, "", crd);
        if (got.ok()) {
          for (const auto& c : got->value("/status/conditions"_json_pointer, Object::array())) {
            if (c.value("type", "") == "Established" && c.value("status", "") == "True")
              established = true;
          }
        }
        if (!established) std::this_thread::sleep_for(100ms);
      }
      ASSERT_TRUE(established) << crd;
    }
  }

  void SetUp() override {
    ASSERT_NE(client_, nullptr);
    ASSERT_NE(std::getenv("LIMEN_OPERATOR_BIN"), nullptr);
    const std::string suffix = std::to_string(std::random_device{}() % 1000000);
    ns_ = "op-" + suffix;
    node_ = "node-" + suffix;
    ASSERT_TRUE(
        client_
            ->Create(kube::resources::kNamespaces, "",
                     {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}})
            .ok());
    char tmpl[] = "/tmp/limen-operator-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }

  void TearDown() override {
    (void)client_->Delete(resources::kNodeProbeStates, "", node_);
    (void)client_->Delete(kube::resources::kNamespaces, "", ns_);
  }

  // A config with short leases; `extra` is appended.
  std::string Config(const std::string& field_manager = "limen-operator") const {
    // watchNamespace: other tests on the same control plane run operators and reconcilers
    // of their own; this one must not touch their namespaces (nor they ours).
    return "kubeconfig: " + env_->kubeconfig + "\nwatchNamespace: " + ns_ +
           "\nleaderElection: {namespace: " + ns_ +
           ", leaseDuration: 4s, renewDeadline: 3s, retryPeriod: 1s}\n"
           "reportInterval: 20s\nlogFormat: text\nlogLevel: debug\nfieldManager: " +
           field_manager + "\n";
  }
  std::unique_ptr<OperatorProcess> Start(const std::string& name,
                                         const std::string& field_manager = "limen-operator") {
    auto p = std::make_unique<OperatorProcess>(dir_, name, Config(field_manager),
                                               std::vector<std::string>{"--identity", name});
    EXPECT_GT(p->pid(), 0);
    EXPECT_TRUE(p->WaitReady(60s)) << p->Log();
    return p;
  }

  // Deployment web (2 replicas, a scheduler nobody runs), its Pods bound to our node and
  // Running, and the policy `obs` selecting them.
  std::vector<Object> CreateWorkload(const std::string& sustain_for) {
    Object dep = Object::parse(R"({"apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"name": "web"},
      "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
        "template": {"metadata": {"labels": {"app": "web"}},
          "spec": {"schedulerName": "limen-test-nobody", "containers": [{"name": "app", "image": "app:1"}]}}}})");
    auto created = client_->Create(kube::resources::kDeployments, ns_, dep);
    EXPECT_TRUE(created.ok()) << created.error().ToString();
    std::vector<Object> pods;
    for (int i = 0; i < 300 && pods.size() < 2; ++i) {
      kube::ListOptions o;
      o.label_selector = "app=web";
      auto list = client_->List(kube::resources::kPods, ns_, o);
      if (list.ok()) pods = list->items;
      if (pods.size() < 2) std::this_thread::sleep_for(100ms);
    }
    EXPECT_EQ(pods.size(), 2u) << "kube-controller-manager created no pods";
    for (auto& pod : pods) {
      const std::string name = pod["metadata"]["name"];
      kube::RequestOptions bind;
      bind.subresource = "binding";
      auto b =
          client_->Create(kube::resources::kPods, ns_,
                          {{"apiVersion", "v1"},
                           {"kind", "Binding"},
                           {"metadata", {{"name", name}}},
                           {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node_}}}},
                          bind);
      EXPECT_TRUE(b.ok()) << b.error().ToString();
      kube::PatchOptions st;
      st.subresource = "status";
      auto s = client_->Patch(kube::resources::kPods, ns_, name, kube::PatchType::kMerge,
                              {{"status",
                                {{"phase", "Running"},
                                 {"containerStatuses",
                                  {{{"name", "app"},
                                    {"image", "app:1"},
                                    {"imageID", ""},
                                    {"ready", true},
                                    {"restartCount", 0},
                                    {"containerID", "containerd://" + name}}}}}}},
                              st);
      EXPECT_TRUE(s.ok()) << s.error().ToString();
    }
    Object policy = {{"apiVersion", "limen.dev/v1alpha1"},
                     {"kind", "ObservabilityPolicy"},
                     {"metadata", {{"name", "obs"}}},
                     {"spec",
                      {{"selector", {{"matchLabels", {{"app", "web"}}}}},
                       {"probes", {"process.exec"}},
                       {"readiness", {{"sustainFor", sustain_for}, {"requiredCriteria", 2}}}}}};
    auto p = client_->Create(resources::kObservabilityPolicies, ns_, policy);
    EXPECT_TRUE(p.ok()) << p.error().ToString();
    return pods;
  }

  // What limen-bpf-loader would write: both pods with `startup_ms`, 5 MB RSS (Memory never
  // holds against 3.2M) and 95 % coverage.
  void ReportNode(const std::vector<Object>& pods, int64_t startup_ms) {
    Object entries = Object::array();
    for (const auto& pod : pods) {
      entries.push_back({{"namespace", ns_},
                         {"name", pod["metadata"]["name"]},
                         {"uid", pod["metadata"]["uid"]},
                         {"startupNanos", startup_ms * 1'000'000},
                         {"rssBytes", 5'000'000},
                         {"events", {{"hits", 1000}, {"delivered", 950}, {"dropped", 50}}}});
    }
    auto existing = client_->Get(resources::kNodeProbeStates, "", node_);
    if (!existing.ok()) {
      auto c = client_->Create(resources::kNodeProbeStates, "",
                               {{"apiVersion", "limen.dev/v1alpha1"},
                                {"kind", "NodeProbeState"},
                                {"metadata", {{"name", node_}}}});
      ASSERT_TRUE(c.ok()) << c.error().ToString();
    }
    kube::PatchOptions o;
    o.subresource = "status";
    auto w = client_->Patch(resources::kNodeProbeStates, "", node_, kube::PatchType::kMerge,
                            {{"status",
                              {{"probes", {{{"name", "process.exec"}, {"state", "Attached"}}}},
                               {"probesSummary", "1/1"},
                               {"pods", entries},
                               {"podCount", entries.size()},
                               {"reportedAt", Now()}}}},
                            o);
    ASSERT_TRUE(w.ok()) << w.error().ToString();
  }

  Object Iwl() {
    auto got = client_->Get(resources::kInstrumentedWorkloads, ns_, "deployment-web");
    return got.ok() ? *got : Object();
  }
  static const Object* Find(const Object& list, const std::string& key, const std::string& value) {
    if (!list.is_array()) return nullptr;
    for (const auto& item : list) {
      if (item.value(key, "") == value) return &item;
    }
    return nullptr;
  }
  static std::string ConditionOf(const Object& iwl, const std::string& type) {
    const Object list = iwl.value("/status/conditions"_json_pointer, Object());
    const Object* c = Find(list, "type", type);
    return c ? c->value("status", "") + "/" + c->value("reason", "") : "";
  }
  static std::string MetSince(const Object& iwl, const std::string& criterion) {
    const Object list = iwl.value("/status/criteria"_json_pointer, Object());
    const Object* c = Find(list, "name", criterion);
    return c ? c->value("metSince", "") : "";
  }
  // Polls the IWL until `pred` holds.
  Object WaitIwl(const std::function<bool(const Object&)>& pred, std::chrono::seconds timeout,
                 const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Object iwl;
    while (std::chrono::steady_clock::now() < deadline) {
      iwl = Iwl();
      if (!iwl.is_null() && pred(iwl)) return iwl;
      std::this_thread::sleep_for(200ms);
    }
    ADD_FAILURE() << "timed out waiting for " << what << "; last: " << iwl.dump(2);
    return iwl;
  }
  std::set<std::string> Managers(const Object& obj, const std::string& subresource) {
    std::set<std::string> out;
    for (const auto& m : obj.value("/metadata/managedFields"_json_pointer, Object::array())) {
      if (m.value("subresource", "") == subresource) out.insert(m.value("manager", ""));
    }
    return out;
  }

  static limen::testing::ClusterEnv* env_;
  static kube::HttpClient* client_;
  std::string ns_, node_, dir_;
};

limen::testing::ClusterEnv* OperatorIntegrationTest::env_ = nullptr;
kube::HttpClient* OperatorIntegrationTest::client_ = nullptr;

TEST_F(OperatorIntegrationTest, SustainedAfterWindowResetOnBreakAndGarbageCollected) {
  auto op = Start("op-solo");
  auto pods = CreateWorkload("10s");
  ReportNode(pods, 8);
  Object iwl =
      WaitIwl([](const Object& o) { return o.value("/status/criteriaMet"_json_pointer, 0) == 2; },
              30s, "two criteria met");
  EXPECT_EQ(iwl["metadata"]["ownerReferences"][0]["kind"], "Deployment");
  EXPECT_EQ(iwl["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(iwl["metadata"]["labels"]["app.kubernetes.io/managed-by"], "limen");
  EXPECT_EQ(iwl["status"]["pods"]["total"], 2);
  EXPECT_EQ(iwl["status"]["pods"]["instrumented"], 2);
  EXPECT_EQ(ConditionOf(iwl, "ThresholdsMet"), "True/ThresholdsMet");
  EXPECT_NE(ConditionOf(iwl, "Ready"), "True/Sustained");
  const std::string since = MetSince(iwl, "Startup");
  ASSERT_FALSE(since.empty());

  iwl = WaitIwl([](const Object& o) { return ConditionOf(o, "Ready") == "True/Sustained"; }, 30s,
                "Sustained");
  const Object* ready = Find(iwl["status"]["conditions"], "type", "Ready");
  ASSERT_NE(ready, nullptr);
  const auto became = *api::ParseTime(ready->value("lastTransitionTime", ""));
  EXPECT_GE(became, *api::ParseTime(since) + 10s) << "Sustained before the window elapsed";
  EXPECT_LE(became, *api::ParseTime(since) + 13s) << "the requeue should land at the window's end";
  EXPECT_NE(op->Get("/metrics")
                .second.find("limen_workload_sustained{namespace=\"" + ns_ +
                             "\",workload=\"deployment-web\"} 1"),
            std::string::npos);

  // Startup breaks: 1 of 2 required → not sustained, Startup's window is gone.
  ReportNode(pods, 50);
  iwl = WaitIwl([](const Object& o) { return ConditionOf(o, "Ready") == "False/ThresholdsNotMet"; },
                20s, "reset");
  EXPECT_EQ(MetSince(iwl, "Startup"), "");
  std::this_thread::sleep_for(1100ms);
  ReportNode(pods, 8);
  iwl = WaitIwl([](const Object& o) { return !MetSince(o, "Startup").empty(); }, 20s,
                "Startup holds again");
  EXPECT_GT(*api::ParseTime(MetSince(iwl, "Startup")), *api::ParseTime(since))
      << "the window restarted";

  // Events were written for the transitions.
  kube::ListOptions lo;
  lo.field_selector = "regarding.name=deployment-web";
  auto events = client_->List(kube::resources::kEvents, ns_, lo);
  ASSERT_TRUE(events.ok());
  std::set<std::string> reasons;
  for (const auto& e : events->items) reasons.insert(e.value("reason", ""));
  EXPECT_TRUE(reasons.count("Sustained")) << events->items.size();
  EXPECT_TRUE(reasons.count("StartupNotMet"));

  // The policy's status.
  auto policy = client_->Get(resources::kObservabilityPolicies, ns_, "obs");
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->value("/status/matchedWorkloads"_json_pointer, 0), 1);
  EXPECT_EQ(policy->value("/status/nodes/desired"_json_pointer, 0), 1);
  EXPECT_EQ(policy->value("/status/nodes/loaded"_json_pointer, 0), 1);
  EXPECT_EQ(policy->value("/status/coverage"_json_pointer, ""), "95.0%");

  // GC: the Deployment goes, its InstrumentedWorkload follows.
  kube::DeleteOptions d;
  d.propagation_policy = "Background";
  ASSERT_TRUE(client_->Delete(kube::resources::kDeployments, ns_, "web", d).ok());
  bool gone = false;
  for (int i = 0; i < 300 && !gone; ++i) {
    auto got = client_->Get(resources::kInstrumentedWorkloads, ns_, "deployment-web");
    gone = !got.ok() && got.error().IsNotFound();
    if (!gone) std::this_thread::sleep_for(100ms);
  }
  EXPECT_TRUE(gone) << "InstrumentedWorkload not garbage-collected";

  // Graceful shutdown releases the Lease.
  op->Signal(SIGTERM);
  EXPECT_EQ(op->Wait(30s), 0) << op->Log();
  auto lease = client_->Get(kube::resources::kLeases, ns_, "limen-operator");
  ASSERT_TRUE(lease.ok());
  EXPECT_EQ(lease->value("/spec/holderIdentity"_json_pointer, ""), "");
}

TEST_F(OperatorIntegrationTest, KillAndRestartMidWindowKeepsMetSince) {
  auto op = Start("op-first");
  auto pods = CreateWorkload("25s");
  ReportNode(pods, 8);
  Object iwl = WaitIwl([](const Object& o) { return !MetSince(o, "Startup").empty(); }, 30s, "met");
  const std::string startup = MetSince(iwl, "Startup"), coverage = MetSince(iwl, "Coverage");
  op->Signal(SIGKILL);
  op->Wait(10s);
  std::this_thread::sleep_for(2s);
  ReportNode(pods, 8);  // fresh data for the new process
  auto second = Start("op-second");
  iwl = WaitIwl([](const Object& o) { return ConditionOf(o, "Ready") == "True/Sustained"; }, 45s,
                "Sustained after restart");
  EXPECT_EQ(MetSince(iwl, "Startup"), startup);
  EXPECT_EQ(MetSince(iwl, "Coverage"), coverage);
  const Object* ready = Find(iwl["status"]["conditions"], "type", "Ready");
  const auto became = *api::ParseTime(ready->value("lastTransitionTime", ""));
  EXPECT_LE(became, *api::ParseTime(startup) + 28s) << "the window restarted with the process";
  EXPECT_GE(became, *api::ParseTime(startup) + 25s);
}

TEST_F(OperatorIntegrationTest, OnlyTheLeaderWritesAndTheFollowerTakesOver) {
  auto a = Start("op-a", "limen-operator-a");
  std::this_thread::sleep_for(2s);  // let a take the Lease first
  auto b = Start("op-b", "limen-operator-b");
  auto lease = client_->Get(kube::resources::kLeases, ns_, "limen-operator");
  ASSERT_TRUE(lease.ok());
  const std::string leader = lease->value("/spec/holderIdentity"_json_pointer, "");
  ASSERT_TRUE(leader == "op-a" || leader == "op-b") << leader;
  OperatorProcess& lead = leader == "op-a" ? *a : *b;
  OperatorProcess& follow = leader == "op-a" ? *b : *a;
  const std::string lead_fm = leader == "op-a" ? "limen-operator-a" : "limen-operator-b";
  const std::string follow_fm = leader == "op-a" ? "limen-operator-b" : "limen-operator-a";

  auto pods = CreateWorkload("1h");
  ReportNode(pods, 8);
  Object iwl =
      WaitIwl([](const Object& o) { return o.value("/status/criteriaMet"_json_pointer, 0) == 2; },
              30s, "status");
  std::this_thread::sleep_for(2s);  // give a misbehaving follower time to write too
  iwl = Iwl();
  EXPECT_EQ(Managers(iwl, "status"), std::set<std::string>{lead_fm});
  EXPECT_EQ(Managers(iwl, ""), std::set<std::string>{lead_fm});
  auto policy = client_->Get(resources::kObservabilityPolicies, ns_, "obs");
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(Managers(*policy, "status"), std::set<std::string>{lead_fm});
  EXPECT_EQ(follow.Log().find("created InstrumentedWorkload"), std::string::npos);

  // The leader stops cleanly (releasing the Lease); the follower leads and writes.
  lead.Signal(SIGTERM);
  EXPECT_EQ(lead.Wait(30s), 0) << lead.Log();
  ReportNode(pods, 50);
  iwl = WaitIwl([](const Object& o) { return o.value("/status/criteriaMet"_json_pointer, 0) == 1; },
                30s, "the new leader's status");
  EXPECT_TRUE(Managers(iwl, "status").count(follow_fm)) << iwl["metadata"]["managedFields"].dump();
}

}  // namespace
}  // namespace limen::op

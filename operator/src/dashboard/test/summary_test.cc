#include "dashboard/summary.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace limen::op::dashboard {
namespace {

using namespace std::chrono_literals;
using api::Json;

const api::Time kNow = *api::ParseTime("2025-03-01T12:00:00Z");

ObjectPtr Obj(Json j) { return std::make_shared<const Object>(std::move(j)); }

Json ObsPolicy(const std::string& ns, const std::string& name, Json readiness, Json status) {
  return {{"apiVersion", "limen.dev/v1alpha1"},
          {"kind", "ObservabilityPolicy"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"generation", 3}}},
          {"spec",
           {{"selector", {{"matchLabels", {{"app", name}}}}},
            {"probes", {"process.exec", "tcp.state"}},
            {"readiness", readiness}}},
          {"status", status}};
}

Json ResPolicy(const std::string& ns, const std::string& name, Json status) {
  return {{"apiVersion", "limen.dev/v1alpha1"},
          {"kind", "ResiliencePolicy"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"selector", Json::object()}}},
          {"status", status}};
}

Json Ready(const std::string& status, const std::string& reason) {
  return {{"type", "Ready"},
          {"status", status},
          {"reason", reason},
          {"message", "m"},
          {"lastTransitionTime", "2025-03-01T11:00:00Z"}};
}

Json Criterion(const std::string& name, const std::string& met, const std::string& value,
               const std::string& threshold, const std::string& met_since = "") {
  Json c = {{"name", name}, {"met", met}, {"value", value}, {"threshold", threshold}};
  if (!met_since.empty()) c["metSince"] = met_since;
  return c;
}

Json Iwl(const std::string& ns, const std::string& name, Json status) {
  return {{"apiVersion", "limen.dev/v1alpha1"},
          {"kind", "InstrumentedWorkload"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"spec", {{"workloadRef", {{"kind", "Deployment"}, {"name", "web"}, {"uid", "u"}}}}},
          {"status", status}};
}

// A workload measured against ObservabilityPolicy `obs` (sustainFor 10h, 2 required).
Json MeasuredStatus(Json criteria, Json conditions) {
  return {{"policies", {{{"kind", "ObservabilityPolicy"}, {"name", "obs"}}}},
          {"pods", {{"total", 2}, {"injected", 1}, {"instrumented", 2}}},
          {"criteria", criteria},
          {"criteriaMet", 0},
          {"conditions", conditions}};
}

Json Build(const CacheSnapshot& s, std::chrono::nanoseconds report_interval = 15s) {
  OperatorInfo info{"op-1", true, true, "", report_interval};
  return BuildSummary(s, info, kNow);
}

const Json* Row(const Json& rows, const std::string& name) {
  for (const auto& r : rows) {
    if (r.value("name", "") == name) return &r;
  }
  return nullptr;
}

TEST(SummaryTest, EmptyCachesGiveAnEmptyDocument) {
  const Json s = Build({});
  EXPECT_EQ(s["apiVersion"], "dashboard.limen.dev/v1");
  EXPECT_EQ(s["kind"], "Summary");
  EXPECT_EQ(s["generatedAt"], "2025-03-01T12:00:00Z");
  EXPECT_EQ(s["operator"]["identity"], "op-1");
  EXPECT_EQ(s["operator"]["leader"], true);
  EXPECT_EQ(s["operator"]["reportIntervalSeconds"], 15);
  for (const char* list : {"policies", "workloads", "nodes", "wasmFilters", "namespaces"}) {
    EXPECT_TRUE(s[list].is_array() && s[list].empty()) << list;
  }
  EXPECT_EQ(
      s["totals"]["workloads"],
      (Json{{"total", 0}, {"Sustained", 0}, {"ThresholdsMet", 0}, {"NotMet", 0}, {"Unknown", 0}}));
  EXPECT_EQ(s["totals"]["policies"]["total"], 0);
  EXPECT_EQ(s["totals"]["nodes"]["total"], 0);
}

TEST(SummaryTest, PoliciesCarryTheirStatus) {
  CacheSnapshot snap;
  snap.observability_policies.push_back(
      Obj(ObsPolicy("ns", "obs", {{"sustainFor", "10h"}},
                    {{"observedGeneration", 3},
                     {"matchedWorkloads", 4},
                     {"workloadsSustained", 1},
                     {"nodes",
                      {{"desired", 3},
                       {"loaded", 2},
                       {"failed", 1},
                       {"failing", {{{"node", "n2"}, {"reason", "process.exec: Failed: EPERM"}}}}}},
                     {"coverage", "95.2%"},
                     {"conditions", {Ready("False", "ProbesFailed")}}})));
  snap.resilience_policies.push_back(
      Obj(ResPolicy("ns", "res",
                    {{"matchedWorkloads", 2},
                     {"injectedPods", 5},
                     {"renderedConfig", {{"name", "limen-res-sidecar"}, {"hash", "abc"}}},
                     {"conditions", {Ready("True", "Rendered")}}})));
  const Json s = Build(snap);
  ASSERT_EQ(s["policies"].size(), 2u);
  const Json& obs = s["policies"][0];
  EXPECT_EQ(obs["kind"], "ObservabilityPolicy");
  EXPECT_EQ(obs["namespace"], "ns");
  EXPECT_EQ(obs["matchedWorkloads"], 4);
  EXPECT_EQ(obs["workloadsSustained"], 1);
  EXPECT_EQ(obs["nodes"]["desired"], 3);
  EXPECT_EQ(obs["nodes"]["loaded"], 2);
  EXPECT_EQ(obs["nodes"]["failed"], 1);
  EXPECT_EQ(obs["nodes"]["failing"][0]["reason"], "process.exec: Failed: EPERM");
  EXPECT_EQ(obs["coverage"], "95.2%");
  EXPECT_EQ(obs["ready"]["status"], "False");
  EXPECT_EQ(obs["ready"]["reason"], "ProbesFailed");
  EXPECT_EQ(obs["probes"], (Json{"process.exec", "tcp.state"}));
  // Defaults applied to what the spec leaves out.
  EXPECT_EQ(obs["readiness"]["sustainFor"], "10h");
  EXPECT_EQ(obs["readiness"]["requiredCriteria"], 2);
  EXPECT_EQ(obs["readiness"]["memory"], "3.2M");
  const Json& res = s["policies"][1];
  EXPECT_EQ(res["kind"], "ResiliencePolicy");
  EXPECT_EQ(res["matchedWorkloads"], 2);
  EXPECT_EQ(res["injectedPods"], 5);
  EXPECT_EQ(res["renderedConfig"]["name"], "limen-res-sidecar");
  EXPECT_EQ(res["ready"]["status"], "True");
  EXPECT_FALSE(res.contains("nodes"));
  EXPECT_EQ(s["totals"]["policies"],
            (Json{{"total", 2}, {"observability", 1}, {"resilience", 1}, {"ready", 1}}));
  EXPECT_EQ(s["namespaces"], (Json{"ns"}));
}

TEST(SummaryTest, PolicyWithoutStatusIsListedAsUnknown) {
  CacheSnapshot snap;
  snap.observability_policies.push_back(Obj(ObsPolicy("ns", "new", Json::object(), nullptr)));
  const Json s = Build(snap);
  ASSERT_EQ(s["policies"].size(), 1u);
  EXPECT_EQ(s["policies"][0]["ready"]["status"], "Unknown");
  EXPECT_EQ(s["policies"][0]["matchedWorkloads"], 0);
  EXPECT_EQ(s["policies"][0]["coverage"], nullptr);
}

// Table: one criterion's status → the row the page shows.
TEST(SummaryTest, CriteriaValuesThresholdsMetSinceAndProgress) {
  struct Case {
    std::string what;
    Json criterion;
    std::string met;
    Json value_base;
    int64_t held_seconds;
    double progress;
  };
  const std::vector<Case> cases = {
      {"met for 5h of 10h", Criterion("Startup", "True", "8ms", "12ms", "2025-03-01T07:00:00Z"),
       "True", 0.008, int64_t{5} * 3600, 0.5},
      {"met longer than sustainFor is clamped",
       Criterion("Startup", "True", "8ms", "12ms", "2025-02-01T00:00:00Z"), "True", 0.008,
       (kNow - *api::ParseTime("2025-02-01T00:00:00Z")) / 1s, 1.0},
      {"not met", Criterion("Startup", "False", "50ms", "12ms"), "False", 0.05, 0, 0.0},
      {"metSince in the future (clock skew) has held for nothing",
       Criterion("Startup", "True", "8ms", "12ms", "2025-03-01T13:00:00Z"), "True", 0.008, 0, 0.0},
      {"unknown without a value", Criterion("Startup", "Unknown", "", "12ms"), "Unknown", nullptr,
       0, 0.0},
  };
  for (const auto& c : cases) {
    CacheSnapshot snap;
    snap.observability_policies.push_back(
        Obj(ObsPolicy("ns", "obs", {{"sustainFor", "10h"}}, nullptr)));
    snap.instrumented_workloads.push_back(
        Obj(Iwl("ns", "deployment-web", MeasuredStatus({c.criterion}, Json::array()))));
    const Json s = Build(snap);
    const Json& w = s["workloads"][0];
    const Json& startup = w["criteria"][0];
    EXPECT_EQ(startup["name"], "Startup") << c.what;
    EXPECT_EQ(startup["met"], c.met) << c.what;
    const Json& given = c.criterion["value"];
    const bool absent = given.is_string() && given.get_ref<const std::string&>().empty();
    EXPECT_EQ(startup["value"], absent ? Json(nullptr) : given) << c.what;
    EXPECT_EQ(startup["threshold"], "12ms") << c.what;
    if (c.value_base.is_null()) {
      EXPECT_TRUE(startup["valueBase"].is_null()) << c.what;
    } else {
      EXPECT_DOUBLE_EQ(startup["valueBase"].get<double>(), c.value_base.get<double>()) << c.what;
    }
    EXPECT_DOUBLE_EQ(startup["thresholdBase"].get<double>(), 0.012) << c.what;
    EXPECT_EQ(startup["metSince"], c.criterion.value("metSince", Json(nullptr))) << c.what;
    EXPECT_EQ(startup["heldSeconds"], c.held_seconds) << c.what;
    EXPECT_DOUBLE_EQ(startup["progress"].get<double>(), c.progress) << c.what;
    EXPECT_EQ(w["sustainFor"], "10h");
    EXPECT_EQ(w["sustainForSeconds"], 36000);
    EXPECT_EQ(w["thresholdsFrom"], "obs");
    EXPECT_EQ(w["requiredCriteria"], 2);
    // Memory and Coverage are absent from this status: listed as Unknown, never dropped.
    ASSERT_EQ(w["criteria"].size(), 3u);
    EXPECT_EQ(w["criteria"][1]["name"], "Memory");
    EXPECT_EQ(w["criteria"][1]["met"], "Unknown");
    EXPECT_EQ(w["criteria"][1]["reason"], "NotReported");
    EXPECT_EQ(w["criteria"][2]["name"], "Coverage");
  }
}

TEST(SummaryTest, BaseValuesOfMemoryAndCoverage) {
  CacheSnapshot snap;
  snap.instrumented_workloads.push_back(
      Obj(Iwl("ns", "w",
              MeasuredStatus({Criterion("Memory", "True", "2.9M", "3.2M", "2025-03-01T11:00:00Z"),
                              Criterion("Coverage", "False", "91.5%", "92%")},
                             Json::array()))));
  const Json w = Build(snap)["workloads"][0];
  EXPECT_EQ(w["criteria"][1]["valueBase"], 2900000);
  EXPECT_EQ(w["criteria"][1]["thresholdBase"], 3200000);
  EXPECT_DOUBLE_EQ(w["criteria"][2]["valueBase"].get<double>(), 0.915);
  EXPECT_DOUBLE_EQ(w["criteria"][2]["thresholdBase"].get<double>(), 0.92);
  // No ObservabilityPolicy `obs` in the cache: no window to progress through.
  EXPECT_TRUE(w["criteria"][1]["progress"].is_null());
  EXPECT_TRUE(w["sustainProgress"].is_null());
  EXPECT_TRUE(w["thresholdsFrom"].is_null());
  EXPECT_EQ(w["criteria"][1]["heldSeconds"], 3600);
}

// Table: the conditions → the state; the criteria → progress toward sustainFor (10h, 2 of 3).
TEST(SummaryTest, StateAndSustainProgress) {
  const Json held5h = Criterion("Startup", "True", "8ms", "12ms", "2025-03-01T07:00:00Z");
  const Json held2h = Criterion("Coverage", "True", "95%", "92%", "2025-03-01T10:00:00Z");
  const Json missed = Criterion("Memory", "False", "5M", "3.2M");
  const Json tm_true = {{"type", "ThresholdsMet"}, {"status", "True"}, {"reason", "ThresholdsMet"}};
  const Json tm_false = {{"type", "ThresholdsMet"}, {"status", "False"}, {"reason", "x"}};
  struct Case {
    std::string what;
    Json criteria, conditions;
    std::string state;
    Json progress, remaining;
  };
  const std::vector<Case> cases = {
      {"two hold: the shorter window decides",
       {held5h, held2h, missed},
       {tm_true, Ready("False", "NotSustained")},
       "ThresholdsMet",
       0.2,
       8 * 3600},
      {"one holds: too few",
       {held5h, missed},
       {tm_false, Ready("False", "ThresholdsNotMet")},
       "NotMet",
       0.0,
       nullptr},
      {"sustained",
       {held5h, held2h, missed},
       {tm_true, Ready("True", "Sustained")},
       "Sustained",
       1.0,
       0},
      {"no verdict yet", Json::array(), Json::array(), "Unknown", 0.0, nullptr},
  };
  for (const auto& c : cases) {
    CacheSnapshot snap;
    snap.observability_policies.push_back(
        Obj(ObsPolicy("ns", "obs", {{"sustainFor", "10h"}}, nullptr)));
    snap.instrumented_workloads.push_back(
        Obj(Iwl("ns", "w", MeasuredStatus(c.criteria, c.conditions))));
    const Json s = Build(snap);
    const Json& w = s["workloads"][0];
    EXPECT_EQ(w["state"], c.state) << c.what;
    EXPECT_DOUBLE_EQ(w["sustainProgress"].get<double>(), c.progress.get<double>()) << c.what;
    EXPECT_EQ(w["sustainRemainingSeconds"], c.remaining) << c.what;
    EXPECT_EQ(s["totals"]["workloads"][c.state], 1) << c.what;
  }
}

TEST(SummaryTest, ProgressIsClampedToZeroOne) {
  struct Case {
    std::chrono::nanoseconds held, sustain_for;
    double want;
  };
  const std::vector<Case> cases = {{0s, 10s, 0.0},  {5s, 10s, 0.5},  {10s, 10s, 1.0},
                                   {20s, 10s, 1.0}, {-5s, 10s, 0.0}, {5s, 0s, 1.0},
                                   {0s, -1s, 1.0},  {1ns, 2ns, 0.5}};
  for (const auto& c : cases) {
    EXPECT_DOUBLE_EQ(Progress(c.held, c.sustain_for), c.want)
        << c.held.count() << " of " << c.sustain_for.count();
  }
}

TEST(SummaryTest, UndecodableObjectsAreListedWithTheError) {
  CacheSnapshot snap;
  snap.instrumented_workloads.push_back(Obj(Iwl("ns", "broken", {{"criteria", "not-a-list"}})));
  snap.node_probe_states.push_back(
      Obj({{"metadata", {{"name", "n1"}}}, {"status", {{"probes", 7}}}}));
  snap.observability_policies.push_back(
      Obj(ObsPolicy("ns", "bad", {{"sustainFor", "5d"}}, nullptr)));
  const Json s = Build(snap);
  ASSERT_EQ(s["workloads"].size(), 1u);
  EXPECT_NE(s["workloads"][0]["decodeError"].get<std::string>().find("status.criteria"),
            std::string::npos);
  EXPECT_EQ(s["workloads"][0]["state"], "Unknown");
  EXPECT_EQ(s["workloads"][0]["criteria"].size(), 3u);
  ASSERT_EQ(s["nodes"].size(), 1u);
  EXPECT_TRUE(s["nodes"][0].contains("decodeError"));
  EXPECT_EQ(s["nodes"][0]["state"], "Unknown");
  EXPECT_NE(s["policies"][0]["decodeError"].get<std::string>().find("5d"), std::string::npos);
}

Json Nps(const std::string& name, Json status) {
  return {{"apiVersion", "limen.dev/v1alpha1"},
          {"kind", "NodeProbeState"},
          {"metadata", {{"name", name}}},
          {"status", status}};
}

TEST(SummaryTest, NodesKernelProbesFailuresAndStaleness) {
  CacheSnapshot snap;
  const Json kernel = {{"release", "6.1.0"},  {"btf", true},     {"ringBuffer", true},
                       {"tracepoints", true}, {"uprobes", true}, {"kprobes", false}};
  snap.node_probe_states.push_back(Obj(Nps(
      "n-fail", {{"kernel", kernel},
                 {"probes",
                  {{{"name", "process.exec"}, {"state", "Attached"}},
                   {{"name", "tcp.retransmit"}, {"state", "Failed"}, {"error", "EPERM"}},
                   {{"name", "go.chan.block"}, {"state", "Unsupported"}, {"error", "no uprobes"}},
                   {{"name", "tcp.state"}, {"state", "Pending"}}}},
                 {"probesSummary", "1/4"},
                 {"podCount", 2},
                 {"reportedAt", "2025-03-01T11:59:50Z"}})));
  snap.node_probe_states.push_back(
      Obj(Nps("n-stale", {{"kernel", kernel}, {"reportedAt", "2025-03-01T11:59:00Z"}})));
  snap.node_probe_states.push_back(Obj(Nps("n-new", Json::object())));
  snap.node_probe_states.push_back(
      Obj(Nps("n-ok", {{"probes", {{{"name", "process.exec"}, {"state", "Attached"}}}},
                       {"reportedAt", "2025-03-01T11:59:59Z"}})));
  snap.pod_nodes = {"n-ok", "n-ok", ""};  // two Pods on n-ok; "" is no node
  const Json s = Build(snap, 15s);        // stale after 45 s

  const Json* fail = Row(s["nodes"], "n-fail");
  ASSERT_NE(fail, nullptr);
  EXPECT_EQ((*fail)["state"], "Degraded");
  EXPECT_EQ((*fail)["kernel"]["release"], "6.1.0");
  EXPECT_EQ((*fail)["kernel"]["kprobes"], false);
  EXPECT_EQ((*fail)["kernel"]["btf"], true);
  EXPECT_EQ((*fail)["probeCounts"],
            (Json{{"attached", 1}, {"failed", 1}, {"unsupported", 1}, {"pending", 1}}));
  EXPECT_EQ(
      (*fail)["failingProbes"],
      (Json{{{"name", "tcp.retransmit"}, {"state", "Failed"}, {"reason", "EPERM"}},
            {{"name", "go.chan.block"}, {"state", "Unsupported"}, {"reason", "no uprobes"}}}));
  EXPECT_EQ((*fail)["reportAgeSeconds"], 10);
  EXPECT_EQ((*fail)["stale"], false);
  EXPECT_EQ((*fail)["podCount"], 2);
  EXPECT_EQ((*Row(s["nodes"], "n-stale"))["state"], "Stale");
  EXPECT_EQ((*Row(s["nodes"], "n-stale"))["stale"], true);
  EXPECT_EQ((*Row(s["nodes"], "n-new"))["state"], "Unknown");
  EXPECT_TRUE((*Row(s["nodes"], "n-new"))["reportAgeSeconds"].is_null());
  EXPECT_EQ((*Row(s["nodes"], "n-ok"))["state"], "Healthy");
  EXPECT_EQ((*Row(s["nodes"], "n-ok"))["podsScheduled"], 2);
  EXPECT_EQ(s["totals"]["nodes"],
            (Json{{"total", 4}, {"Healthy", 1}, {"Degraded", 1}, {"Stale", 1}, {"Unknown", 1}}));
  // Sorted by name.
  std::vector<std::string> names;
  for (const auto& n : s["nodes"]) names.push_back(n["name"]);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
}

TEST(SummaryTest, WasmFilters) {
  CacheSnapshot snap;
  snap.wasm_filters.push_back(Obj(
      {{"apiVersion", "limen.dev/v1alpha1"},
       {"kind", "WasmFilter"},
       {"metadata", {{"name", "authz"}, {"namespace", "ns"}}},
       {"spec", {{"source", {{"configMap", {{"name", "m"}, {"key", "k"}}}}}, {"sha256", ""}}},
       {"status",
        {{"abi", "proxy-wasm"},
         {"size", 2048},
         {"conditions",
          {{{"type", "Validated"}, {"status", "True"}, {"reason", "Valid"}, {"message", ""}}}}}}}));
  const Json s = Build(snap);
  ASSERT_EQ(s["wasmFilters"].size(), 1u);
  EXPECT_EQ(s["wasmFilters"][0]["validated"]["status"], "True");
  EXPECT_EQ(s["wasmFilters"][0]["abi"], "proxy-wasm");
  EXPECT_EQ(s["wasmFilters"][0]["size"], 2048);
  EXPECT_EQ(s["wasmFilters"][0]["phase"], "UNSPECIFIED");  // the CRD default
  EXPECT_EQ(s["totals"]["wasmFilters"], (Json{{"total", 1}, {"validated", 1}}));
}

// The stores iterate in hash order: the document must not depend on it.
TEST(SummaryTest, OutputIsSortedAndIndependentOfCacheOrder) {
  CacheSnapshot snap;
  for (const char* ns : {"b", "a", "c"}) {
    for (const char* name : {"z", "m", "a"}) {
      snap.observability_policies.push_back(Obj(ObsPolicy(ns, name, Json::object(), nullptr)));
      snap.resilience_policies.push_back(Obj(ResPolicy(ns, name, nullptr)));
      snap.instrumented_workloads.push_back(Obj(Iwl(ns, name, nullptr)));
    }
    snap.node_probe_states.push_back(Obj(Nps(std::string("node-") + ns, Json::object())));
  }
  const std::string want = Build(snap).dump();
  std::mt19937 rng(7);
  for (int i = 0; i < 5; ++i) {
    CacheSnapshot shuffled = snap;
    std::shuffle(shuffled.observability_policies.begin(), shuffled.observability_policies.end(),
                 rng);
    std::shuffle(shuffled.resilience_policies.begin(), shuffled.resilience_policies.end(), rng);
    std::shuffle(shuffled.instrumented_workloads.begin(), shuffled.instrumented_workloads.end(),
                 rng);
    std::shuffle(shuffled.node_probe_states.begin(), shuffled.node_probe_states.end(), rng);
    EXPECT_EQ(Build(shuffled).dump(), want) << "shuffle " << i;
  }
  const Json s = Build(snap);
  ASSERT_EQ(s["policies"].size(), 18u);
  EXPECT_EQ(s["policies"][0]["namespace"], "a");
  EXPECT_EQ(s["policies"][0]["name"], "a");
  EXPECT_EQ(s["policies"][0]["kind"], "ObservabilityPolicy");
  EXPECT_EQ(s["policies"][1]["kind"], "ResiliencePolicy");
  EXPECT_EQ(s["workloads"][0]["namespace"], "a");
  EXPECT_EQ(s["workloads"][8]["name"], "z");
  EXPECT_EQ(s["namespaces"], (Json{"a", "b", "c"}));
}

}  // namespace
}  // namespace limen::op::dashboard

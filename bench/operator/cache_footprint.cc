// cache_footprint: the heap each of limen-operator's caches takes at the scale of
// bench/operator (10 namespaces, 1,000 Deployments with one ReplicaSet and 10 Pods each,
// 100 NodeProbeStates of 100 measurements, 1,000 InstrumentedWorkloads), built with the
// operator's own projections, indexes and store modes — so that memory work is driven by a
// per-cache breakdown instead of one VmRSS figure. No apiserver: the objects are the
// projections the informers would store for the bench's objects.
//
// Each cache is built alone and measured as the growth of malloc's in-use bytes
// (mallinfo2 uordblks + hblkhd), then freed. Prints one line per cache:
//   cache objects bytes_per_object total_MB
//
// Usage: operator_cache_footprint   (build/<tree>/bench/; a Release tree: ASan's allocator
//        does not report mallinfo2)
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/caches.h"
#include "common/pod_index.h"
#include "common/transform.h"
#include "common/workload.h"
#include "limen/kube/store.h"
#include "node_probe_state_body.h"

namespace limen::op {
namespace {

using kube::Object;

constexpr int kNamespaces = 10, kWorkloads = 1000, kPodsPerWorkload = 10, kNodes = 100;

std::string Fmt(const char* f, int a) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, a);
  return buf;
}
std::string Uid(int n) { return Fmt("%08x-4a1b-4c2d-8e3f-", n) + Fmt("%012x", n * 7919); }
std::string Ns(int w) { return Fmt("opbench-%02d", w % kNamespaces); }
std::string App(int w) { return Fmt("app-%04d", w); }

size_t Heap() {
  const auto m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

Object Meta(const std::string& ns, const std::string& name, const std::string& uid) {
  return {{"name", name}, {"namespace", ns}, {"uid", uid}, {"resourceVersion", "1234567"}};
}

// A Pod of the bench as the operator's Pod informer stores it (ProjectPod of the served Pod:
// no kubelet, so Pending without container statuses).
// The controller reference to workload w's Deployment.
Object DeploymentRef(int w) {
  return {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}, {"name", App(w)},
          {"uid", Uid(2000000 + w)}, {"controller", true},   {"blockOwnerDeletion", true}};
}

Object BenchPod(int w, int j) {
  const int i = w * kPodsPerWorkload + j;
  const std::string app = Fmt("checkout-%02d", i % 50);
  Object meta =
      Meta(Ns(w), App(w) + "-5f7d8c9b4" + Fmt("-%05d", (w * 97 + j) * 7919 % 100000), Uid(i));
  meta["labels"] = {{"app.kubernetes.io/name", app},
                    {"app.kubernetes.io/instance", app + "-prod"},
                    {"app.kubernetes.io/version", "1.14." + std::to_string(i % 7)},
                    {"app.kubernetes.io/component", "api"},
                    {"app.kubernetes.io/part-of", "shop"},
                    {"app.kubernetes.io/managed-by", "Helm"},
                    {"pod-template-hash", "5f7d8c9b4"},
                    {"team", "payments"},
                    {"bench.limen.dev/round", "0"},
                    {"app", App(w)}};
  meta["annotations"] = {
      {"limen.dev/injected", "shop-resilience@7c1e9a3f"},
      {"limen.dev/injection-status", "injected: policy shop-resilience selects app=" + app}};
  meta["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                              {"kind", "ReplicaSet"},
                              {"name", App(w) + "-5f7d8c9b4"},
                              {"uid", Uid(1000000 + w)},
                              {"controller", true},
                              {"blockOwnerDeletion", true}}};
  return ProjectPod({{"apiVersion", "v1"},
                     {"kind", "Pod"},
                     {"metadata", meta},
                     {"spec", {{"nodeName", Fmt("node-%03d", i % kNodes)}}},
                     {"status", {{"phase", "Pending"}}}});
}

Object BenchReplicaSet(int w) {
  Object meta = Meta(Ns(w), App(w) + "-5f7d8c9b4", Uid(1000000 + w));
  meta["generation"] = 1;
  meta["labels"] = {{"app", App(w)}, {"pod-template-hash", "5f7d8c9b4"}};
  meta["ownerReferences"] = Object::array({DeploymentRef(w)});
  return ProjectOwner({{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"metadata", meta}});
}

Object BenchNodeProbeState(int node) {
  Object pods = Object::array();
  for (int i = node; i < kWorkloads * kPodsPerWorkload; i += kNodes) {
    const int w = i / kPodsPerWorkload;
    pods.push_back({{"namespace", Ns(w)},
                    {"name", App(w) + "-5f7d8c9b4-12345"},
                    {"uid", Uid(i)},
                    {"startupNanos", 6400000 + i},
                    {"rssBytes", 2900000 + i},
                    {"events", {{"hits", 1000 + i}, {"delivered", 990 + i}, {"dropped", 10}}}});
  }
  Object meta = {{"name", Fmt("node-%03d", node)},
                 {"uid", Uid(3000000 + node)},
                 {"resourceVersion", "1234567"},
                 {"generation", 1}};
  return ProjectLimen(bench::NodeProbeStateBody(meta, pods, "2026-11-27T06:00:00Z"));
}

// An InstrumentedWorkload with the status the operator writes for the bench's workloads.
Object BenchInstrumentedWorkload(int w) {
  Object meta = Meta(Ns(w), "deployment-" + App(w), Uid(4000000 + w));
  meta["generation"] = 1;
  meta["labels"] = {{"app.kubernetes.io/managed-by", "limen"}};
  meta["ownerReferences"] = Object::array({DeploymentRef(w)});
  auto condition = [](const char* type, const char* status, const char* reason) {
    return Object{{"type", type},
                  {"status", status},
                  {"observedGeneration", 1},
                  {"lastTransitionTime", "2026-11-27T06:00:01Z"},
                  {"reason", reason},
                  {"message", "2 of 3 criteria hold (required 2): startup, memory"}};
  };
  auto criterion = [](const char* name, const char* met, const char* value, const char* t) {
    return Object{{"name", name},
                  {"met", met},
                  {"value", value},
                  {"threshold", t},
                  {"metSince", "2026-11-27T06:00:01Z"},
                  {"reason", "ok"}};
  };
  Object status = {
      {"observedGeneration", 1},
      {"conditions",
       {condition("ThresholdsMet", "True", "CriteriaMet"),
        condition("Ready", "True", "Sustained")}},
      {"policies", {{{"kind", "ObservabilityPolicy"}, {"name", "shop"}}}},
      {"pods", {{"total", 10}, {"injected", 10}, {"instrumented", 10}}},
      {"measurements",
       {{"startup", {{"p50", "6.4ms"}, {"p95", "9.1ms"}, {"max", "9.9ms"}}},
        {"memory", "2.9M"},
        {"memoryBytes", 2900000},
        {"coverage", "99.0%"},
        {"coverageBasisPoints", 9900},
        {"sampledAt", "2026-11-27T06:00:00Z"}}},
      {"criteria",
       {criterion("startup", "True", "9.1ms", "12ms"), criterion("memory", "True", "2.9M", "3.2M"),
        criterion("coverage", "False", "91.0%", "92%")}},
      {"criteriaMet", 2},
      {"criteriaSummary", "2/3"}};
  return ProjectLimen({{"apiVersion", "limen.dev/v1alpha1"},
                       {"kind", "InstrumentedWorkload"},
                       {"metadata", meta},
                       {"spec",
                        {{"workloadRef",
                          {{"apiVersion", "apps/v1"},
                           {"kind", "Deployment"},
                           {"name", App(w)},
                           {"uid", Uid(2000000 + w)}}}}},
                       {"status", status}});
}

// Builds a cache with `fill`, prints its growth of the heap, frees it.
void Measure(const char* name, int objects, const std::function<std::shared_ptr<void>()>& fill) {
  const size_t before = Heap();
  std::shared_ptr<void> cache = fill();
  const size_t grown = Heap() - before;
  std::printf("%-34s %6d %7zu B/object %7.2f MB\n", name, objects, grown / objects,
              static_cast<double>(grown) / 1e6);
}

std::shared_ptr<kube::Store> Fill(std::map<std::string, kube::IndexFunc> indexes,
                                  kube::StoreOptions options, int n,
                                  const std::function<Object(int)>& make) {
  auto store = std::make_shared<kube::Store>(std::move(indexes), options);
  for (int i = 0; i < n; ++i) {
    Object obj = make(i);
    const std::string key = kube::ObjectKey(obj);
    store->Upsert(key, std::make_shared<const Object>(std::move(obj)));
  }
  return store;
}

// The namespace-wide scan (ReachOf: active, selected, owner, injected) over the 1,000 Pods of
// one namespace from the PodIndex and ReplicaSetIndex: mean microseconds per scan. (Before
// f57c242 the same scan read the plain Pod and ReplicaSet stores and decoded each Pod: 5.2–16.7
// ms against 1.3–3.0 ms, docs/benchmarks.md.)
void TimeScans() {
  constexpr int kPods = kWorkloads * kPodsPerWorkload;
  auto replicasets = Fill({}, {.compact = false}, kWorkloads, BenchReplicaSet);
  kube::Store empty;
  auto pod_index = std::make_shared<PodIndex>();
  auto rs_index = std::make_shared<ReplicaSetIndex>();
  for (int i = 0; i < kPods; ++i)
    pod_index->Upsert(BenchPod(i / kPodsPerWorkload, i % kPodsPerWorkload));
  for (int w = 0; w < kWorkloads; ++w) rs_index->Upsert(BenchReplicaSet(w));
  const Caches c{*replicasets, empty,   empty,
                 empty,        empty,   empty,
                 empty,        empty,   std::make_shared<NodeReports>(),
                 pod_index,    rs_index};
  api::LabelSelector shop;
  shop.match_labels = {{"app.kubernetes.io/part-of", "shop"}};
  const api::Selector selector = *api::ToSelector(&shop);
  constexpr int kScans = 200;
  using Clock = std::chrono::steady_clock;
  int64_t sink = 0;
  const auto t0 = Clock::now();
  for (int n = 0; n < kScans; ++n) {
    sink += ReachOf(c, Ns(n), selector, "shop-resilience", "7c1e9a3f").injected_pods;
  }
  const double us = std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / kScans;
  std::printf("namespace scan (1,000 Pods), PodIndex: %.0f us (sink %lld)\n", us,
              static_cast<long long>(sink));
}

int Main() {
  TimeScans();
  const int pods = kWorkloads * kPodsPerWorkload;
  auto pod = [](int i) { return BenchPod(i / kPodsPerWorkload, i % kPodsPerWorkload); };
  const std::map<std::string, kube::IndexFunc> pod_indexes = {
      {kIndexControllerUid, IndexByControllerUid},
      {kIndexNode, IndexByNode},
      {kIndexUid, IndexByUid}};
  Measure("pods plain + 3 indexes (before)", pods,
          [&] { return Fill(pod_indexes, {.compact = false}, pods, pod); });
  Measure("pods compact, no extra index", pods,
          [&] { return Fill({}, {.compact = true}, pods, pod); });
  auto with_index = [&](const std::function<Object(int)>& stored, bool namespace_index = true) {
    auto store = Fill({}, {.compact = true, .namespace_index = namespace_index}, pods, stored);
    auto index = std::make_shared<PodIndex>();
    for (int i = 0; i < pods; ++i) index->Upsert(pod(i));
    return std::make_shared<std::pair<decltype(store), decltype(index)>>(store, index);
  };
  Measure("pods compact + PodIndex (f57c242)", pods, [&] { return with_index(pod); });
  Measure("pods keys + PodIndex (581f421)", pods,
          [&] { return with_index([&](int i) { return RetainKey(pod(i)); }); });
  Measure("pods keys, no ns index + PodIndex (now)", pods,
          [&] { return with_index([&](int i) { return RetainKey(pod(i)); }, false); });
  Measure("PodIndex alone", pods, [&] {
    auto index = std::make_shared<PodIndex>();
    for (int i = 0; i < pods; ++i) index->Upsert(pod(i));
    return index;
  });
  const std::map<std::string, kube::IndexFunc> rs_indexes = {
      {kIndexControllerUid, IndexByControllerUid}};
  for (bool compact : {false, true}) {
    Measure(compact ? "replicasets compact" : "replicasets plain", kWorkloads,
            [&] { return Fill(rs_indexes, {.compact = compact}, kWorkloads, BenchReplicaSet); });
    Measure(compact ? "deployments etc. compact" : "deployments etc. plain", kWorkloads, [&] {
      return Fill({}, {.compact = compact}, kWorkloads, [](int w) {
        Object d = BenchReplicaSet(w);
        d["metadata"].erase("ownerReferences");
        return d;
      });
    });
    Measure(compact ? "nodeprobestates compact" : "nodeprobestates plain", kNodes,
            [&] { return Fill({}, {.compact = compact}, kNodes, BenchNodeProbeState); });
    Measure(compact ? "instrumentedworkloads compact" : "instrumentedworkloads plain", kWorkloads,
            [&] { return Fill({}, {.compact = compact}, kWorkloads, BenchInstrumentedWorkload); });
  }
  Measure("nodeprobestates compact, no pods (now)", kNodes, [&] {
    return Fill({}, {.compact = true, .namespace_index = false}, kNodes,
                [](int n) { return RetainNodeProbeState(BenchNodeProbeState(n)); });
  });
  Measure("NodeReports (decoded)", kNodes, [&] {
    auto reports = std::make_shared<NodeReports>();
    for (int n = 0; n < kNodes; ++n) reports->Upsert(BenchNodeProbeState(n));
    return reports;
  });
  Measure("ReplicaSetIndex", kWorkloads, [&] {
    auto index = std::make_shared<ReplicaSetIndex>();
    for (int w = 0; w < kWorkloads; ++w) index->Upsert(BenchReplicaSet(w));
    return index;
  });
  return 0;
}

}  // namespace
}  // namespace limen::op

int main() { return limen::op::Main(); }

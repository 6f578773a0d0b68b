// operator_bench_writer — creates and pokes the world of the limen-operator benchmark
// (bench/operator/run; docs/benchmarks.md, section "limen-operator").
//
//   operator_bench_writer nodes --kubeconfig=K [--nodes=100]
//     Node objects opbench-node-NNN (no kubelet: they only exist so that the Pods bound to
//     them are not garbage-collected as orphans) and the namespaces opbench-NN, waiting for
//     their default ServiceAccount.
//   operator_bench_writer workloads --kubeconfig=K [--workloads=1000] [--pods-per-workload=10]
//                                   [--namespaces=10] [--nodes=100] [--writers=8]
//     Per workload a paused Deployment, its ReplicaSet (controller reference to the
//     Deployment) and its Pods (bench/kube/pod_body.h, controller reference to the ReplicaSet,
//     bound to a node by spec.nodeName), all by server-side apply. Run it while
//     kube-controller-manager is stopped (the run script does): a ReplicaSet controller
//     seeing the ReplicaSet before its Pods would create Pods of its own.
//   operator_bench_writer observe --kubeconfig=K [--namespaces=10] [--nodes=100]
//     One ObservabilityPolicy per namespace selecting every Pod, and one NodeProbeState per
//     node carrying a measurement for every Pod on it (startup, RSS, event counters chosen per
//     workload so that some criteria hold and some do not), reportedAt now.
//   operator_bench_writer toggle --kubeconfig=K [--namespaces=10]
//     Rewrites each policy's selector in the other of two equivalent forms (matchLabels ↔
//     matchExpressions In): the generation changes, the selected Pods do not, so every
//     workload is re-reconciled and no status changes.
//
// Prints one JSON result line; progress and errors go to stderr. Exit code 1 if any write
// failed after retries.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "common.h"
#include "limen/kube/client.h"
#include "node_probe_state_body.h"
#include "pod_body.h"

namespace limen::bench {
namespace {

using kube::Object;
using Clock = std::chrono::steady_clock;

const kube::Resource kObservabilityPolicies{"limen.dev", "v1alpha1", "observabilitypolicies",
                                            "ObservabilityPolicy", true};
const kube::Resource kNodeProbeStates{"limen.dev", "v1alpha1", "nodeprobestates", "NodeProbeState",
                                      false};
constexpr const char kHash[] = "5f7d8c9b4";
constexpr const char kPartOf[] = "app.kubernetes.io/part-of";

struct Shape {
  int workloads = 1000;
  int pods_per_workload = 10;
  int namespaces = 10;
  int nodes = 100;
  int writers = 8;
};

std::string Fmt(const char* format, int n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, n);
  return buf;
}
std::string NodeName(int i) { return Fmt("opbench-node-%03d", i); }
std::string Namespace(int i) { return Fmt("opbench-%02d", i); }
std::string WorkloadName(int w) { return Fmt("app-%04d", w); }
std::string ReplicaSetName(int w) { return WorkloadName(w) + "-" + kHash; }
std::string PodNameOf(int w, int j) {
  return ReplicaSetName(w) + Fmt("-%05d", (w * 97 + j) * 7919 % 100000);
}

// Runs write(i) for i in [0, count) on `writers` threads, each retried up to 3 times.
int RunParallel(int count, int writers, const std::function<kube::ApiResult<Object>(int)>& write) {
  std::atomic<int> next{0}, failed{0}, done{0};
  std::vector<std::thread> threads;
  threads.reserve(static_cast<size_t>(writers));
  for (int t = 0; t < writers; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        bool ok = false;
        for (int attempt = 0; attempt < 3 && !ok; ++attempt) {
          auto r = write(i);
          ok = r.ok();
          if (!ok) std::cerr << "write " << i << ": " << r.error().ToString() << "\n";
        }
        if (!ok) ++failed;
        if (int d = ++done; d % 2000 == 0) std::cerr << d << "/" << count << " written\n";
      }
    });
  }
  for (auto& t : threads) t.join();
  return failed.load();
}

kube::PatchOptions Apply() {
  kube::PatchOptions apply;
  apply.field_manager = "kubectl";
  apply.force = true;
  return apply;
}

int Nodes(kube::HttpClient& client, const Shape& s) {
  int failed = RunParallel(s.nodes, s.writers, [&](int i) {
    Object node = {{"apiVersion", "v1"},
                   {"kind", "Node"},
                   {"metadata",
                    {{"name", NodeName(i)},
                     {"labels",
                      {{"kubernetes.io/os", "linux"},
                       {"node.kubernetes.io/pool", "general"},
                       {"bench.limen.dev/operator", "true"}}}}}};
    return client.Patch(kube::resources::kNodes, "", NodeName(i), kube::PatchType::kApply, node,
                        Apply());
  });
  const kube::Resource kServiceAccounts{"", "v1", "serviceaccounts", "ServiceAccount", true};
  for (int n = 0; n < s.namespaces; ++n) {
    Object ns = {
        {"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", Namespace(n)}}}};
    auto r = client.Patch(kube::resources::kNamespaces, "", Namespace(n), kube::PatchType::kApply,
                          ns, Apply());
    if (!r.ok()) ++failed;
    bool have = false;
    for (int i = 0; i < 240 && !have; ++i) {
      have = client.Get(kServiceAccounts, Namespace(n), "default").ok();
      if (!have) std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    if (!have) {
      std::cerr << "no ServiceAccount default in " << Namespace(n) << "\n";
      ++failed;
    }
  }
  Emit({{"event", "nodes"}, {"nodes", s.nodes}, {"namespaces", s.namespaces}, {"failed", failed}});
  return failed == 0 ? 0 : 1;
}

// The Pod template of workload w (labels, annotations, spec of the realistic Pod body).
Object Template(const Object& pod) {
  Object meta = {{"labels", pod["metadata"]["labels"]},
                 {"annotations", pod["metadata"]["annotations"]}};
  meta["labels"].erase(kRoundLabel);
  meta["labels"].erase("pod-template-hash");
  Object spec = pod["spec"];
  spec.erase("nodeName");
  return {{"metadata", meta}, {"spec", spec}};
}

Object PodOf(const std::string& ns, int w, int j, const Shape& s, const std::string& rs_uid) {
  const int index = w * s.pods_per_workload + j;
  Object pod = MakePod(ns, index, ReplicaSetName(w), rs_uid);
  pod["metadata"]["name"] = PodNameOf(w, j);
  pod["metadata"]["labels"]["app"] = WorkloadName(w);
  pod["metadata"]["labels"]["pod-template-hash"] = kHash;
  pod["metadata"]["ownerReferences"][0]["controller"] = true;
  pod["spec"]["nodeName"] = NodeName(index % s.nodes);
  // The nodes have no kubelet: they go NotReady and get NoExecute taints. A Pod tolerating
  // everything (as DaemonSet Pods do) is not evicted by the taint manager.
  pod["spec"]["tolerations"].push_back({{"operator", "Exists"}});
  return pod;
}

int Workloads(kube::HttpClient& client, const Shape& s) {
  const auto start = Clock::now();
  std::atomic<int> failed_pods{0};
  int failed = RunParallel(s.workloads, s.writers, [&](int w) -> kube::ApiResult<Object> {
    const std::string ns = Namespace(w % s.namespaces);
    const std::string name = WorkloadName(w);
    Object probe = PodOf(ns, w, 0, s, "pending");
    Object tmpl = Template(probe);
    const Object selector = {{"matchLabels", {{"app", name}}}};
    Object deployment = {
        {"apiVersion", "apps/v1"},
        {"kind", "Deployment"},
        {"metadata", {{"name", name}, {"namespace", ns}, {"labels", tmpl["metadata"]["labels"]}}},
        {"spec",
         {{"replicas", s.pods_per_workload},
          // Paused: the Deployment controller then never creates a ReplicaSet of its own for
          // a template hash it computes differently from ours.
          {"paused", true},
          {"progressDeadlineSeconds", 2000000000},
          {"selector", selector},
          {"template", tmpl}}}};
    auto d = client.Patch(kube::resources::kDeployments, ns, name, kube::PatchType::kApply,
                          deployment, Apply());
    if (!d.ok()) return d;
    Object rs_tmpl = tmpl;
    rs_tmpl["metadata"]["labels"]["pod-template-hash"] = kHash;
    Object rs = {{"apiVersion", "apps/v1"},
                 {"kind", "ReplicaSet"},
                 {"metadata",
                  {{"name", ReplicaSetName(w)},
                   {"namespace", ns},
                   {"labels", rs_tmpl["metadata"]["labels"]},
                   {"annotations", {{"deployment.kubernetes.io/revision", "1"}}},
                   {"ownerReferences",
                    {{{"apiVersion", "apps/v1"},
                      {"kind", "Deployment"},
                      {"name", name},
                      {"uid", (*d)["metadata"]["uid"]},
                      {"controller", true},
                      {"blockOwnerDeletion", true}}}}}},
                 {"spec",
                  {{"replicas", s.pods_per_workload},
                   {"selector", {{"matchLabels", {{"app", name}, {"pod-template-hash", kHash}}}}},
                   {"template", rs_tmpl}}}};
    auto r = client.Patch(kube::resources::kReplicaSets, ns, ReplicaSetName(w),
                          kube::PatchType::kApply, rs, Apply());
    if (!r.ok()) return r;
    const std::string rs_uid = (*r)["metadata"]["uid"].get<std::string>();
    for (int j = 0; j < s.pods_per_workload; ++j) {
      bool ok = false;
      for (int attempt = 0; attempt < 3 && !ok; ++attempt) {
        auto p = client.Patch(kube::resources::kPods, ns, PodNameOf(w, j), kube::PatchType::kApply,
                              PodOf(ns, w, j, s, rs_uid), Apply());
        ok = p.ok();
        if (!ok) std::cerr << "pod " << PodNameOf(w, j) << ": " << p.error().ToString() << "\n";
      }
      if (!ok) ++failed_pods;
    }
    return r;
  });
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  Emit({{"event", "workloads"},
        {"workloads", s.workloads},
        {"pods", s.workloads * s.pods_per_workload},
        {"failed", failed + failed_pods.load()},
        {"seconds", secs}});
  return failed + failed_pods.load() == 0 ? 0 : 1;
}

// Per-workload measurements: most workloads meet all three criteria; every 4th misses
// startup, every 5th memory, every 7th coverage (so the engine evaluates all outcomes).
Object Measurement(const Object& pod, int w, int j) {
  const int64_t startup_us = (w % 4 == 0 ? 14000 : 5000) + (w * 31 + j * 17) % 4000;
  const int64_t rss = (w % 5 == 0 ? 4'200'000 : 2'400'000) + ((w * 13 + j * 7) % 50) * 10'000;
  const int64_t delivered = 100000 + w * 10 + j;
  const int64_t dropped = w % 7 == 0 ? delivered / 5 : int64_t{(w + j) % 3} * 100;
  return {
      {"namespace", pod["metadata"]["namespace"]},
      {"name", pod["metadata"]["name"]},
      {"uid", pod["metadata"]["uid"]},
      {"startupNanos", startup_us * 1000},
      {"rssBytes", rss},
      {"events", {{"hits", delivered + dropped}, {"delivered", delivered}, {"dropped", dropped}}}};
}

std::string NowRfc3339() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::tm utc{};
  gmtime_r(&t, &utc);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

Object Selector(bool expressions) {
  if (expressions) {
    return {{"matchExpressions", {{{"key", kPartOf}, {"operator", "In"}, {"values", {"shop"}}}}}};
  }
  return {{"matchLabels", {{kPartOf, "shop"}}}};
}

int Observe(kube::HttpClient& client, const Shape& s) {
  int failed = 0;
  for (int n = 0; n < s.namespaces; ++n) {
    Object policy = {{"apiVersion", "limen.dev/v1alpha1"},
                     {"kind", "ObservabilityPolicy"},
                     {"metadata", {{"name", "shop"}, {"namespace", Namespace(n)}}},
                     {"spec",
                      {{"selector", Selector(false)},
                       {"probes", {"process.exec", "process.exit", "tcp.state"}},
                       {"readiness",
                        {{"startupMillis", 12},
                         {"memory", "3.2M"},
                         {"coveragePercent", 92},
                         {"requiredCriteria", 2}}}}}};
    auto r = client.Patch(kObservabilityPolicies, Namespace(n), "shop", kube::PatchType::kApply,
                          policy, Apply());
    if (!r.ok()) {
      std::cerr << "policy " << Namespace(n) << ": " << r.error().ToString() << "\n";
      ++failed;
    }
  }
  // Every Pod, grouped by node.
  std::map<std::string, Object> by_node;
  for (int n = 0; n < s.namespaces; ++n) {
    auto list = client.List(kube::resources::kPods, Namespace(n), {});
    if (!list.ok()) {
      std::cerr << "list pods: " << list.error().ToString() << "\n";
      return 1;
    }
    for (const auto& pod : list->items) {
      const std::string name = pod["metadata"]["name"].get<std::string>();
      const int w = std::stoi(name.substr(4, 4));
      const int j = std::stoi(name.substr(name.size() - 5)) % 10;  // any spread will do
      auto& entries = by_node[pod["spec"].value("nodeName", "")];
      if (!entries.is_array()) entries = Object::array();
      entries.push_back(Measurement(pod, w, j));
    }
  }
  const std::string now = NowRfc3339();
  std::vector<std::pair<std::string, Object>> nodes(by_node.begin(), by_node.end());
  failed += RunParallel(static_cast<int>(nodes.size()), s.writers, [&](int i) {
    const auto& [node, pods] = nodes[static_cast<size_t>(i)];
    Object nps = bench::NodeProbeStateBody({{"name", node}}, pods, now);
    kube::PatchOptions apply = Apply();
    auto created = client.Patch(kNodeProbeStates, "", node, kube::PatchType::kApply,
                                Object{{"apiVersion", nps["apiVersion"]},
                                       {"kind", "NodeProbeState"},
                                       {"metadata", nps["metadata"]}},
                                apply);
    if (!created.ok()) return created;
    apply.subresource = "status";
    return client.Patch(kNodeProbeStates, "", node, kube::PatchType::kApply, nps, apply);
  });
  Emit({{"event", "observe"}, {"nodes", nodes.size()}, {"reportedAt", now}, {"failed", failed}});
  return failed == 0 ? 0 : 1;
}

int Toggle(kube::HttpClient& client, const Shape& s) {
  const auto start = Clock::now();
  kube::PatchOptions opts;
  opts.field_manager = "limen-bench-writer";
  int failed = RunParallel(s.namespaces, s.namespaces, [&](int n) -> kube::ApiResult<Object> {
    auto current = client.Get(kObservabilityPolicies, Namespace(n), "shop", {});
    if (!current.ok()) return current;
    const bool expressions = !(*current)["spec"]["selector"].contains("matchExpressions");
    Object patch = {
        {"spec", {{"selector", {{"matchLabels", nullptr}, {"matchExpressions", nullptr}}}}}};
    const Object selector = Selector(expressions);
    for (auto& [k, v] : selector.items()) patch["spec"]["selector"][k] = v;
    return client.Patch(kObservabilityPolicies, Namespace(n), "shop", kube::PatchType::kMerge,
                        patch, opts);
  });
  Emit({{"event", "toggle"},
        {"failed", failed},
        {"seconds", std::chrono::duration<double>(Clock::now() - start).count()}});
  return failed == 0 ? 0 : 1;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: operator_bench_writer nodes|workloads|observe|toggle --kubeconfig=K "
                 "[--key=value...]\n";
    return 2;
  }
  const std::string command = argv[1];
  auto flags = ParseFlags(argc, argv, 2);
  if (!flags.ok()) {
    std::cerr << flags.status().message() << "\n";
    return 2;
  }
  Shape s;
  s.workloads = std::stoi(FlagOr(*flags, "workloads", "1000"));
  s.pods_per_workload = std::stoi(FlagOr(*flags, "pods-per-workload", "10"));
  s.namespaces = std::stoi(FlagOr(*flags, "namespaces", "10"));
  s.nodes = std::stoi(FlagOr(*flags, "nodes", "100"));
  s.writers = std::stoi(FlagOr(*flags, "writers", "8"));
  kube::InitializeHttpThreadPool(8);
  auto client = MakeClient(FlagOr(*flags, "kubeconfig", ""), /*rate_limited=*/false);
  if (!client.ok()) {
    std::cerr << client.status().message() << "\n";
    return 2;
  }
  if (command == "nodes") return Nodes(**client, s);
  if (command == "workloads") return Workloads(**client, s);
  if (command == "observe") return Observe(**client, s);
  if (command == "toggle") return Toggle(**client, s);
  std::cerr << "unknown command '" << command << "' (nodes, workloads, observe or toggle)\n";
  return 2;
}

}  // namespace
}  // namespace limen::bench

int main(int argc, char** argv) { return limen::bench::Main(argc, argv); }

// kube_bench_writer — the separate writer of the informer benchmark (bench/kube/run.sh).
//
//   kube_bench_writer populate --kubeconfig=K [--namespace=limen-bench] [--count=10000]
//                              [--writers=8]
//     Creates the namespace, the owner ReplicaSet and `count` Pods (pod_body.h) by
//     server-side apply (fieldManager "kubectl", as `kubectl apply --server-side` does), from
//     `writers` threads with the client-side rate limit off. Idempotent.
//   kube_bench_writer patch --kubeconfig=K --round=R [--namespace=...] [--count=2000]
//                           [--writers=8]
//     Sets the label bench.limen.dev/round=R on the first `count` Pods (JSON merge patch,
//     fieldManager "limen-bench-writer"): the burst of watch events the informers count.
//
// Prints one JSON result line; progress and errors go to stderr. Exit code 1 if any write
// failed after retries.
#include <atomic>
#include <chrono>
#include <functional>
#include <iostream>
#include <thread>
#include <vector>

#include "common.h"
#include "limen/kube/client.h"
#include "pod_body.h"

namespace limen::bench {
namespace {

using kube::Object;
using Clock = std::chrono::steady_clock;
constexpr const char kOwnerName[] = "bench-app-5f7d8c9b4";

struct Job {
  kube::HttpClient& client;
  std::string ns;
  int count;
  int writers;
};

// Runs write(i) for i in [0, count) on `writers` threads, each write retried up to 3 times.
// Returns the number of writes that failed for good.
int RunParallel(const Job& job, const std::function<kube::ApiResult<Object>(int)>& write) {
  std::atomic<int> next{0}, failed{0}, done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < job.writers; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < job.count; i = next++) {
        bool ok = false;
        for (int attempt = 0; attempt < 3 && !ok; ++attempt) {
          auto r = write(i);
          ok = r.ok();
          if (!ok) std::cerr << "write " << i << ": " << r.error().ToString() << "\n";
        }
        if (!ok) ++failed;
        if (int d = ++done; d % 1000 == 0) std::cerr << d << "/" << job.count << " written\n";
      }
    });
  }
  for (auto& t : threads) t.join();
  return failed.load();
}

Status WaitForServiceAccount(kube::HttpClient& client, const std::string& ns) {
  const kube::Resource kServiceAccounts{"", "v1", "serviceaccounts", "ServiceAccount", true};
  for (int i = 0; i < 120; ++i) {
    if (client.Get(kServiceAccounts, ns, "default").ok()) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return Status::Unavailable("serviceaccount " + ns + "/default did not appear within 60 s");
}

int Populate(const Job& job) {
  Object ns = {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", job.ns}}}};
  auto created = job.client.Create(kube::resources::kNamespaces, "", ns);
  if (!created.ok() && !created.error().IsAlreadyExists()) {
    std::cerr << "namespace " << job.ns << ": " << created.error().ToString() << "\n";
    return 1;
  }
  if (Status s = WaitForServiceAccount(job.client, job.ns); !s.ok()) {
    std::cerr << s.message() << "\n";
    return 1;
  }
  kube::PatchOptions apply;
  apply.field_manager = "kubectl";
  apply.force = true;
  auto owner = job.client.Patch(kube::resources::kReplicaSets, job.ns, kOwnerName,
                                kube::PatchType::kApply, MakeOwner(job.ns, kOwnerName), apply);
  if (!owner.ok()) {
    std::cerr << "owner ReplicaSet: " << owner.error().ToString() << "\n";
    return 1;
  }
  const std::string uid = (*owner)["metadata"]["uid"].get<std::string>();
  auto start = Clock::now();
  int failed = RunParallel(job, [&](int i) {
    return job.client.Patch(kube::resources::kPods, job.ns, PodName(i), kube::PatchType::kApply,
                            MakePod(job.ns, i, kOwnerName, uid), apply);
  });
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  Emit({{"event", "populated"},
        {"pods", job.count},
        {"failed", failed},
        {"seconds", secs},
        {"writes_per_s", job.count / secs}});
  return failed == 0 ? 0 : 1;
}

int PatchRound(const Job& job, const std::string& round) {
  const Object patch = {{"metadata", {{"labels", {{kRoundLabel, round}}}}}};
  kube::PatchOptions opts;
  opts.field_manager = "limen-bench-writer";
  auto start = Clock::now();
  int failed = RunParallel(job, [&](int i) {
    return job.client.Patch(kube::resources::kPods, job.ns, PodName(i), kube::PatchType::kMerge,
                            patch, opts);
  });
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  Emit({{"event", "patched"},
        {"round", round},
        {"pods", job.count},
        {"failed", failed},
        {"seconds", secs},
        {"writes_per_s", job.count / secs}});
  return failed == 0 ? 0 : 1;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: kube_bench_writer populate|patch --kubeconfig=K [--key=value...]\n";
    return 2;
  }
  const std::string command = argv[1];
  auto flags = ParseFlags(argc, argv, 2);
  if (!flags.ok()) {
    std::cerr << flags.status().message() << "\n";
    return 2;
  }
  const bool populate = command == "populate";
  if (!populate && command != "patch") {
    std::cerr << "unknown command '" << command << "' (populate or patch)\n";
    return 2;
  }
  kube::InitializeHttpThreadPool(8);
  auto client = MakeClient(FlagOr(*flags, "kubeconfig", ""), /*rate_limited=*/false);
  if (!client.ok()) {
    std::cerr << client.status().message() << "\n";
    return 2;
  }
  Job job{**client, FlagOr(*flags, "namespace", "limen-bench"),
          std::stoi(FlagOr(*flags, "count", populate ? "10000" : "2000")),
          std::stoi(FlagOr(*flags, "writers", "8"))};
  if (populate) return Populate(job);
  auto round = FlagOr(*flags, "round", "");
  if (round.empty()) {
    std::cerr << "patch needs --round=R\n";
    return 2;
  }
  return PatchRound(job, round);
}

}  // namespace
}  // namespace limen::bench

int main(int argc, char** argv) { return limen::bench::Main(argc, argv); }

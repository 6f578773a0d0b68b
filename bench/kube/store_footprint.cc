// store_footprint: what one cached Pod costs in a lib/kube Store, plain (nlohmann DOM) and
// compact (StoreOptions::compact: MessagePack, decoded per read), and what a compact read
// costs. No apiserver: 10,000 Pods as the apiserver serves them (bench/kube/pod_body.h plus
// what the server adds: uid, resourceVersion, managedFields, a Running status with container
// statuses, a node) go through limen-operator's Pod informer path — the parse-time filter
// (PodFields), the projection (ProjectPod), the operator's Pod indexes — into a Store.
//
// Each mode runs in a child process of its own (a fresh heap; the parent re-executes itself
// with --mode=...), and reports one JSON line:
//   rss_per_object      (VmRSS after − before) / N, after malloc_trim, the JSON texts freed;
//   heap_per_object     mallinfo2 in-use bytes (uordblks) after − before, / N;
//   get_ns              mean time of Store::Get over every key (compact: one decode);
//   by_index_ns         mean time of ByIndex(controller-uid) — a workload's 10 Pods —
//                       what a reconcile's PodsOf does;
//   msgpack_bytes       (compact) mean to_msgpack size of a projected Pod, for reference
//                       (the store's own encoding interns keys and is smaller).
//
// Usage: store_footprint [--pods=10000]      (both modes)
//        store_footprint --mode=plain|compact [--pods=N]
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common.h"
#include "common/transform.h"
#include "common/workload.h"
#include "limen/kube/field_filter.h"
#include "limen/kube/store.h"
#include "pod_body.h"

namespace limen::bench {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr int kPodsPerOwner = 10;

std::string Hex(int n, size_t width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*x", static_cast<int>(width), n);
  return std::string(buf).substr(0, width);
}
std::string Uid(int n) {  // 8-4-4-4-12, unique per n
  return Hex(n, 8) + "-4a1b-4c2d-8e3f-" + Hex(n * 7919, 12);
}

// Pod `i` as the apiserver would serve it once scheduled and running.
std::string ServedPod(int i) {
  const std::string ns = "shop-" + std::to_string(i % 10);
  const int owner = i / kPodsPerOwner;
  json pod = MakePod(ns, i, "bench-app-" + std::to_string(owner), Uid(1000000 + owner));
  json& meta = pod["metadata"];
  meta["uid"] = Uid(i);
  meta["resourceVersion"] = std::to_string(100000 + i);
  meta["creationTimestamp"] = "2026-11-27T03:00:00Z";
  meta["generateName"] = "bench-app-" + std::to_string(owner) + "-5f7d8c9b4-";
  meta["ownerReferences"][0]["controller"] = true;
  meta["managedFields"] = {{{"manager", "kube-controller-manager"},
                            {"operation", "Update"},
                            {"apiVersion", "v1"},
                            {"time", "2026-11-27T03:00:00Z"},
                            {"fieldsType", "FieldsV1"},
                            {"fieldsV1", {{"f:metadata", {{"f:labels", json::object()}}}}}}};
  pod["spec"]["nodeName"] = "node-" + std::to_string(i % 100);
  json statuses = json::array();
  for (const auto& c : pod["spec"]["containers"]) {
    statuses.push_back({{"name", c["name"]},
                        {"containerID", "containerd://" + Hex(i, 8) + std::string(56, 'c')},
                        {"image", c["image"]},
                        {"imageID", "sha256:" + std::string(64, 'a')},
                        {"ready", true},
                        {"restartCount", 0},
                        {"started", true},
                        {"state", {{"running", {{"startedAt", "2026-11-27T03:00:05Z"}}}}}});
  }
  pod["status"] = {{"phase", "Running"},
                   {"hostIP", "10.0.0." + std::to_string(i % 100)},
                   {"podIP", "10.244." + std::to_string(i % 250) + ".7"},
                   {"qosClass", "Burstable"},
                   {"startTime", "2026-11-27T03:00:01Z"},
                   {"containerStatuses", std::move(statuses)}};
  return pod.dump();
}

size_t HeapInUse() { return mallinfo2().uordblks; }

long long NanosPer(Clock::duration d, size_t n) {
  return n == 0 ? 0 : std::chrono::duration_cast<std::chrono::nanoseconds>(d).count() / n;
}

int RunMode(const std::string& mode, int pods) {
  const bool compact = mode == "compact";
  malloc_trim(0);
  const long long rss0 = RssBytes();
  const size_t heap0 = HeapInUse();
  kube::Store store({{op::kIndexControllerUid, op::IndexByControllerUid},
                     {op::kIndexNode, op::IndexByNode},
                     {op::kIndexUid, op::IndexByUid}},
                    kube::StoreOptions{.compact = compact});
  size_t encoded = 0;
  std::vector<std::string> owner_uids;
  for (int i = 0; i < pods; ++i) {
    const std::string text = ServedPod(i);  // freed each iteration: only the cache stays
    kube::Object obj = op::ProjectPod(kube::ParseFiltered(text, op::PodFields().get(), {}));
    if (compact) encoded += kube::Object::to_msgpack(obj).size();
    std::string key = kube::ObjectKey(obj);
    if (i % kPodsPerOwner == 0) owner_uids.push_back(op::IndexByControllerUid(obj).at(0));
    store.Upsert(key, std::make_shared<const kube::Object>(std::move(obj)));
  }
  malloc_trim(0);
  const long long rss1 = RssBytes();
  const size_t heap1 = HeapInUse();

  const std::vector<std::string> keys = store.ListKeys();
  size_t sink = 0;
  auto t0 = Clock::now();
  for (const auto& k : keys) sink += store.Get(k)->size();
  auto t1 = Clock::now();
  size_t read = 0;
  for (const auto& uid : owner_uids) {
    auto objs = store.ByIndex(op::kIndexControllerUid, uid);
    read += objs.size();
    sink += objs.empty() ? 0 : objs[0]->size();
  }
  auto t2 = Clock::now();

  Emit({{"mode", mode},
        {"pods", pods},
        {"stored", store.Size()},
        {"rss_per_object", (rss1 - rss0) / pods},
        {"heap_per_object", (static_cast<long long>(heap1) - static_cast<long long>(heap0)) / pods},
        {"msgpack_bytes", compact ? encoded / pods : 0},
        {"get_ns", NanosPer(t1 - t0, keys.size())},
        {"by_index_ns", NanosPer(t2 - t1, owner_uids.size())},
        {"by_index_objects", read / (owner_uids.empty() ? 1 : owner_uids.size())},
        {"sink", sink}});
  return 0;
}

int Main(int argc, char** argv) {
  auto flags = ParseFlags(argc, argv, 1);
  if (!flags.ok()) {
    std::fprintf(stderr, "%s\n", flags.status().ToString().c_str());
    return 2;
  }
  const int pods = std::stoi(FlagOr(*flags, "pods", "10000"));
  const std::string mode = FlagOr(*flags, "mode", "");
  if (!mode.empty()) return RunMode(mode, pods);
  // Both modes, each in a fresh process so that neither inherits the other's heap.
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return 1;
  self[n] = '\0';
  for (const char* m : {"plain", "compact"}) {
    std::string cmd =
        std::string(self) + " --mode=" + std::string(m) + " --pods=" + std::to_string(pods);
    if (std::system(cmd.c_str()) != 0) return 1;  // NOLINT(concurrency-mt-unsafe,cert-env33-c)
  }
  return 0;
}

}  // namespace
}  // namespace limen::bench

int main(int argc, char** argv) { return limen::bench::Main(argc, argv); }

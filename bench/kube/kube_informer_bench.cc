// kube_informer_bench — one measured Limen Pod informer (bench/kube/run.sh runs it several
// times per variant, beside the client-go peer in bench/peers/client-go-informer, which
// prints the same keys).
//
//   kube_informer_bench --kubeconfig=K --transform=none|drop|project [--expect=N --round=R]
//                       [--sync=list|watchlist] [--store=plain|compact] [--settle-ms=3000]
//                       [--encoding=json|protobuf]
//                       [--timeout-s=600] [--log-level=info]
//
// --sync: the initial sync by LIST then WATCH (the default here, as in the earlier tables)
// or by watch-list (one WATCH with sendInitialEvents, decoded while it streams).
// --store: decoded objects (the default) or compact ones (InformerOptions::compact: encoded,
// decoded on every read).
// --encoding: how LISTs are asked for; protobuf (WatcherConfig::protobuf_lists) where the
// transform's field filter keeps only what lib/kube decodes from it, JSON otherwise.
//
// Emits {"event":"ready",...} after the initial sync and the settle period: sync_ms (Run →
// HasSynced), rss_baseline (before Run), rss, and rss_trimmed (after malloc_trim(0), which
// returns the freed pages of the list to the OS — the analogue of Go's debug.FreeOSMemory),
// and malloc's bytes in use and held free after that trim (heap_in_use, heap_free).
// Then, if --expect is given, waits for N Pods updated to label round R and emits
// {"event":"done",...} with events_per_s = (N-1) / (last - first update seen). run.sh
// SIGSTOPs the process during the writer's burst, so the rate is that of draining a backlog.
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "common.h"
#include "common/transform.h"
#include "limen/base/heap.h"
#include "limen/kube/informer.h"
#include "pod_body.h"

namespace limen::bench {
namespace {

using kube::Object;
using kube::ObjectPtr;
using Clock = std::chrono::steady_clock;

std::string RoundOf(const Object& pod) {
  const auto& meta = pod.find("metadata");
  if (meta == pod.end()) return "";
  auto labels = meta->find("labels");
  if (labels == meta->end() || !labels->is_object()) return "";
  auto v = labels->find(kRoundLabel);
  return v != labels->end() && v->is_string() ? v->get<std::string>() : "";
}

// Counts distinct Pods whose update moved them to label round `round`.
class RoundCounter {
 public:
  RoundCounter(std::string round, size_t expect) : round_(std::move(round)), expect_(expect) {}

  void OnUpdate(const ObjectPtr& old_obj, const ObjectPtr& new_obj) {
    if (RoundOf(*new_obj) != round_ || RoundOf(*old_obj) == round_) return;
    auto now = Clock::now();
    std::lock_guard lock(mu_);
    if (seen_.size() >= expect_ || !seen_.insert(kube::ObjectKey(*new_obj)).second) return;
    if (seen_.size() == 1) first_ = now;
    if (seen_.size() == expect_) {
      last_ = now;
      cv_.notify_all();
    }
  }

  // Waits for all; false on timeout. Returns (last - first) in *seconds.
  bool Wait(std::chrono::seconds timeout, double* seconds) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return seen_.size() >= expect_; })) {
      std::cerr << "timed out: saw " << seen_.size() << " of " << expect_ << " updates\n";
      return false;
    }
    *seconds = std::chrono::duration<double>(last_ - first_).count();
    return true;
  }

 private:
  const std::string round_;
  const size_t expect_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_set<std::string> seen_;  // guarded by mu_
  Clock::time_point first_, last_;        // guarded by mu_
};

// A variant: the transform, and (the "-filter" variants) the same projection as a
// parse-time field filter, as limen-operator runs its informers.
struct Variant {
  kube::Transform transform;
  std::shared_ptr<const kube::FieldFilter> fields;
};

StatusOr<Variant> TransformNamed(const std::string& name) {
  if (name == "none") return Variant{};
  if (name == "drop") return Variant{kube::DropManagedFields, nullptr};
  if (name == "drop-filter") {
    return Variant{kube::DropManagedFields,
                   kube::FieldMask::AllExcept({{"metadata", "managedFields"}})};
  }
  auto project = [](Object o) { return op::ProjectPod(std::move(o)); };
  if (name == "project") return Variant{project, nullptr};
  if (name == "project-filter") return Variant{project, op::PodFields()};
  return Status::InvalidArgument(
      "--transform must be none, drop, drop-filter, project or project-filter, not '" + name + "'");
}

int Main(int argc, char** argv) {
  auto flags = ParseFlags(argc, argv, 1);
  if (!flags.ok()) {
    std::cerr << flags.status().message() << "\n";
    return 2;
  }
  const std::string transform_name = FlagOr(*flags, "transform", "none");
  auto transform = TransformNamed(transform_name);
  if (!transform.ok()) {
    std::cerr << transform.status().message() << "\n";
    return 2;
  }
  const std::string sync = FlagOr(*flags, "sync", "list");
  if (sync != "list" && sync != "watchlist") {
    std::cerr << "--sync must be list or watchlist, not '" << sync << "'\n";
    return 2;
  }
  const std::string store = FlagOr(*flags, "store", "plain");
  if (store != "plain" && store != "compact") {
    std::cerr << "--store must be plain or compact, not '" << store << "'\n";
    return 2;
  }
  const std::string encoding = FlagOr(*flags, "encoding", "json");
  if (encoding != "json" && encoding != "protobuf") {
    std::cerr << "--encoding must be json or protobuf, not '" << encoding << "'\n";
    return 2;
  }
  const size_t expect = std::stoul(FlagOr(*flags, "expect", "0"));
  const auto settle = std::chrono::milliseconds(std::stol(FlagOr(*flags, "settle-ms", "3000")));
  const auto timeout = std::chrono::seconds(std::stol(FlagOr(*flags, "timeout-s", "600")));

  spdlog::set_level(spdlog::level::from_str(FlagOr(*flags, "log-level", "info")));
  // A protobuf LIST arrives faster than it is decoded; its queued body must not fragment the
  // heaps of cpprest's threads (limen/base/heap.h).
  ReturnLargeBlocksWhenFreed();
  kube::InitializeHttpThreadPool();
  auto client = MakeClient(FlagOr(*flags, "kubeconfig", ""), /*rate_limited=*/true);
  if (!client.ok()) {
    std::cerr << client.status().message() << "\n";
    return 2;
  }
  kube::InformerOptions options;
  options.transform = std::move(transform->transform);
  options.watcher.field_filter = std::move(transform->fields);
  options.watcher.watch_list = sync == "watchlist";
  options.watcher.protobuf_lists = encoding == "protobuf";
  options.compact = store == "compact";
  kube::Informer informer(**client, kube::resources::kPods, std::move(options));
  auto counter = std::make_shared<RoundCounter>(FlagOr(*flags, "round", ""), expect);
  auto handler = std::make_shared<kube::ResourceEventHandlerFuncs>();
  handler->update = [counter](const ObjectPtr& o, const ObjectPtr& n) { counter->OnUpdate(o, n); };
  informer.AddEventHandler(handler);

  const long long baseline = RssBytes();
  const auto start = Clock::now();
  informer.Run();
  if (!informer.WaitForSync(timeout)) {
    std::cerr << "timed out waiting for sync\n";
    return 1;
  }
  const double sync_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  std::this_thread::sleep_for(settle);
  const long long rss = RssBytes();
  malloc_trim(0);
  const struct mallinfo2 heap = mallinfo2();
  Emit({{"event", "ready"},
        {"impl", "limen"},
        {"transform", transform_name},
        {"sync", sync},
        {"store", store},
        {"objects", informer.store().Size()},
        {"sync_ms", sync_ms},
        {"rss_baseline", baseline},
        {"rss", rss},
        {"rss_trimmed", RssBytes()},
        {"list_encoding", encoding},  // keys sort after "event": run.sh greps ^{"event"
        // After the trim: what malloc has handed out, and what it holds free.
        {"heap_in_use", heap.uordblks + heap.hblkhd},
        {"heap_free", heap.fordblks},
        {"pid", getpid()}});
  if (expect == 0) return 0;
  double seconds = 0;
  if (!counter->Wait(timeout, &seconds)) return 1;
  Emit({{"event", "done"},
        {"impl", "limen"},
        {"transform", transform_name},
        {"updates", expect},
        {"drain_ms", seconds * 1000},
        {"events_per_s", seconds > 0 ? static_cast<double>(expect - 1) / seconds : 0},
        {"rss_after", RssBytes()}});
  return 0;
}

}  // namespace
}  // namespace limen::bench

int main(int argc, char** argv) { return limen::bench::Main(argc, argv); }

// Watcher: the initial state and then the changes of one resource collection, as an explicit
// state machine (kube-rs kube-runtime/src/watcher.rs; the resourceVersion rules of client-go's
// reflector). The initial state comes by watch-list (below) or by LIST then WATCH.
//
// The machine is pure: Step(state, input) → {events, next state, action}. The caller
// performs the action (a List, opening a Watch, reading the open stream, or backing off)
// and feeds its result back as the next input. Unit tests drive it without HTTP; the
// runner class Watcher performs the actions with a Client, a Clock and a BackoffStrategy.
//
//   Empty ──Tick──▶ InitListing ──last page──▶ InitListed ──Tick / watch opened──▶ Watching
//     ▲               │ page (continue)            ▲                                 │
//     │               └────────────┘               └── clean end / broken / 429 ─────┘
//     └──────── 410 Gone / Expired ("too old resource version") from watch or list ──┘
//
// With config.watch_list (opt-in), Empty goes to WatchListing instead:
//   Empty ──Tick──▶ WatchListing ──ADDED…, then the initial-events-end BOOKMARK──▶ Watching
//                    │ rejected (400/403/422) or ended cleanly without that bookmark
//                    └──▶ InitListing, and every later full sync lists too (remembered in
//                         the states' list_fallback)
//
// Watch-list (KEP-3157, client-go's Reflector.watchList): one WATCH with
// sendInitialEvents=true streams the initial objects, which are decoded while the apiserver
// is still sending them, instead of a LIST whose whole body is read before it is parsed.
//   - The first request uses resourceVersion "" (a consistent read, as client-go does); a
//     full sync after a 410 in Watching asks for the last resourceVersion.
//   - The stream opens with kInit; each ADDED/MODIFIED is a kInitApply; the BOOKMARK
//     annotated k8s.io/initial-events-end ends it with kInitDone (the receiver swaps its
//     buffer in, exactly as after a list) and the same stream goes on as in Watching.
//   - 410/Expired before that bookmark (on opening or in the stream), or a broken stream,
//     restarts the watch-list with resourceVersion "" (a broken one after a back-off); a
//     new kInit discards what the receiver had buffered.
//   - A 400, 403 or 422 on opening (the server does not accept sendInitialEvents), a
//     DELETED before the bookmark, or a clean end without the bookmark → LIST+WATCH from
//     then on.
//
// Guarantees of LIST+WATCH:
//   - The first list uses resourceVersion "0" (served from the apiserver's watch cache, as
//     client-go does) with pagination (limit, continue); a relist uses the last
//     resourceVersion with resourceVersionMatch=NotOlderThan; if that fails with 410/Expired
//     the next list uses resourceVersion "" (a consistent read from etcd). An expired
//     continue token falls back to one unpaginated list at the same resourceVersion
//     (client-go's pager).
//   - The watch starts from the list's resourceVersion with allowWatchBookmarks=true and a
//     server timeout drawn uniformly from [300 s, 600 s] so that watches of many clients do
//     not expire together.
//   - A clean end of the stream resumes watching from the last resourceVersion at once —
//     unless it came within 1 s of opening without any event (client-go's
//     VeryShortWatchError), which backs off instead of spinning.
//   - BOOKMARK events only advance the resourceVersion; they never reach the caller.
//   - 410/Expired (an open error or an ERROR event in the stream) → relist (no back-off).
//   - 429 and every other failure → back off (Retry-After honoured), then retry the same
//     step: a broken watch is reopened from the last resourceVersion, never relisted.
//
// Events: kInit starts a new full state; kInitApply carries each listed object; kInitDone
// ends it (the receiver swaps the buffer in — see Store::Replace). kApply / kDelete are
// watch events. The caller must apply them in order.
//
// Thread-safety: Step is a pure function (it only logs a fall-back to LIST). A Watcher runs
// on one thread (Run); Stop() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "limen/kube/backoff.h"
#include "limen/kube/client.h"
#include "limen/kube/clock.h"

namespace limen::kube {

struct WatcherEvent {
  enum class Type { kInit, kInitApply, kInitDone, kApply, kDelete };
  Type type;
  Object object;  // null for kInit / kInitDone
};

struct WatcherConfig {
  std::string label_selector;
  std::string field_selector;
  int64_t page_size = 500;  // list limit; 0 = unpaginated
  int64_t min_timeout_seconds = 300;
  int64_t max_timeout_seconds = 600;
  // Returns values in [0, 1) for the watch timeout; injectable for deterministic tests.
  std::function<double()> random01;
  // Passed to every List and Watch: the fields kept while parsing (field_filter.h).
  std::shared_ptr<const FieldFilter> field_filter;
  // Full syncs by watch-list (see above); false: by LIST then WATCH. Off by default: on
  // this project's machines the apiserver streams a watch-list of 10,000 Pods more slowly
  // than it serves the LIST from its cache (docs/benchmarks.md, lib/kube informer), though
  // the client's peak memory is about half.
  bool watch_list = false;
  // LISTs ask for protobuf where lib/kube can decode it under field_filter
  // (ListOptions::protobuf): the apiserver encodes it about twice as fast as JSON.
  bool protobuf_lists = false;
};

namespace watcher {

// `list_fallback` (Empty, InitListed, Watching): full syncs are by LIST even if
// config.watch_list, because the server rejected watch-list. States reached by a LIST set it;
// it only matters with config.watch_list.

// No usable state: the next Tick starts a full sync. `last_resource_version` is what it
// asks for; `last_unavailable` (set after a 410 on that resourceVersion) forces "".
struct Empty {
  std::string last_resource_version;
  bool last_unavailable = false;
  bool list_fallback = false;
};
// Listing page by page. `resource_version` is the one requested for the first page.
struct InitListing {
  std::string resource_version;
  std::string continue_token;
  bool unpaginated = false;  // the fallback after an expired continue token
};
// The list is complete (or a watch broke): the next Tick opens a watch from here.
struct InitListed {
  std::string resource_version;
  bool list_fallback = false;
};
// A watch stream is open; the caller reads from it.
struct Watching {
  std::string resource_version;
  bool list_fallback = false;
};
// Watch-list: a WATCH with sendInitialEvents=true from `resource_version` is to be opened
// (!opened) or is streaming the initial events.
struct WatchListing {
  std::string resource_version;
  bool opened = false;
};

using State = std::variant<Empty, InitListing, InitListed, Watching, WatchListing>;

// Inputs: what happened since the last action.
struct Tick {};  // start, or a back-off has elapsed
struct ListDone {
  ApiResult<ObjectList> result;
};
struct WatchOpened {
  std::optional<ApiError> error;  // nullopt: the stream is open
};
struct StreamEvent {
  WatchEvent event;
};
struct StreamEnded {
  std::optional<ApiError> error;  // nullopt: clean end (server timeout)
  bool very_short = false;        // clean, but within 1 s of opening and without an event
};
using Input = std::variant<Tick, ListDone, WatchOpened, StreamEvent, StreamEnded>;

// Actions: what the caller must do next. Any action other than ReadStream means the open
// stream (if any) must be closed first.
struct ListAction {
  ListOptions options;
};
struct WatchAction {
  WatchOptions options;
};
struct ReadStream {};
struct BackoffAction {
  std::optional<std::chrono::seconds> retry_after;  // the server's Retry-After, if any
  std::string reason;
};
using Action = std::variant<ListAction, WatchAction, ReadStream, BackoffAction>;

struct StepResult {
  std::vector<WatcherEvent> events;
  State state;
  Action action;
};

StepResult Step(const State& state, Input input, const WatcherConfig& config);

// The resourceVersion a state would resume from ("" if none yet).
std::string ResourceVersionOf(const State& state);

}  // namespace watcher

// Runs the state machine against a Client until Stop().
class Watcher {
 public:
  using Sink = std::function<void(WatcherEvent&&)>;
  // Healthy time after which the back-off starts again from its base (apimachinery's
  // backoff manager reset).
  static constexpr std::chrono::minutes kBackoffResetAfter{2};

  // `backoff` defaults to ExponentialBackoff{800 ms, ×2, jitter 0.1, cap 30 s}.
  Watcher(Client& client, Resource resource, std::string ns, WatcherConfig config,
          Clock& clock = RealClock::Instance(), std::unique_ptr<BackoffStrategy> backoff = nullptr);
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  // Blocks until Stop(); every event goes to `sink` on this thread, in order, as an rvalue:
  // the sink may keep its object without a copy.
  void Run(const Sink& sink);
  // Ends Run() promptly: cancels the open stream and interrupts a back-off.
  void Stop();
  // The resourceVersion of the last event or list handled (for diagnostics and tests).
  std::string LastResourceVersion() const;

 private:
  watcher::Input Perform(const watcher::Action& action);
  void CloseStream();
  void SetStream(std::unique_ptr<WatchStream> stream);

  // Constant after construction.
  Client& client_;
  const Resource resource_;
  const std::string ns_;
  const WatcherConfig config_;
  Clock& clock_;
  std::unique_ptr<BackoffStrategy> backoff_;  // used by the Run thread only

  std::atomic<bool> stopped_{false};
  Clock::MonoTime last_backoff_{};   // Run thread only
  Clock::MonoTime stream_opened_{};  // Run thread only
  int64_t events_on_stream_ = 0;     // Run thread only

  mutable std::mutex mu_;
  std::unique_ptr<WatchStream> stream_;  // guarded by mu_ (Stop cancels it)
  std::string last_rv_;                  // guarded by mu_
};

}  // namespace limen::kube

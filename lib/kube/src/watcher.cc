#include "limen/kube/watcher.h"

#include <spdlog/spdlog.h>

#include <random>

#include "limen/base/heap.h"
#include "stoppable_sleep.h"

namespace limen::kube {
namespace watcher {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

double DefaultRandom01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

std::string ResourceVersionOfObject(const Object& obj) {
  if (!obj.is_object()) return "";
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return "";
  auto rv = meta->find("resourceVersion");
  return rv != meta->end() && rv->is_string() ? rv->get<std::string>() : "";
}

ListOptions ListFor(const InitListing& s, const WatcherConfig& c) {
  ListOptions o;
  o.label_selector = c.label_selector;
  o.field_selector = c.field_selector;
  o.field_filter = c.field_filter;
  o.protobuf = c.protobuf_lists;
  if (!s.continue_token.empty()) {
    // A continue token carries its own resourceVersion; the apiserver rejects both.
    o.continue_token = s.continue_token;
    o.limit = c.page_size;
    return o;
  }
  o.resource_version = s.resource_version;
  // Explicit, so that a paginated list at a resourceVersion is not "Exact" (which fails
  // once that revision is compacted); "0" + NotOlderThan means "any".
  if (!s.resource_version.empty()) o.resource_version_match = "NotOlderThan";
  o.limit = s.unpaginated ? 0 : c.page_size;
  return o;
}

WatchOptions WatchFor(const std::string& rv, const WatcherConfig& c) {
  WatchOptions o;
  o.label_selector = c.label_selector;
  o.field_selector = c.field_selector;
  o.field_filter = c.field_filter;
  o.resource_version = rv;
  o.allow_bookmarks = true;
  const double r = c.random01 ? c.random01() : DefaultRandom01();
  const int64_t span = c.max_timeout_seconds - c.min_timeout_seconds;
  o.timeout_seconds =
      c.min_timeout_seconds + static_cast<int64_t>(r * static_cast<double>(span + 1));
  if (o.timeout_seconds > c.max_timeout_seconds) o.timeout_seconds = c.max_timeout_seconds;
  return o;
}

WatchOptions WatchListFor(const std::string& rv, const WatcherConfig& c) {
  WatchOptions o = WatchFor(rv, c);
  o.send_initial_events = true;
  return o;
}

bool UseWatchList(bool list_fallback, const WatcherConfig& c) {
  return c.watch_list && !list_fallback;
}

StepResult StartList(const InitListing& listing, const WatcherConfig& c) {
  return {{}, listing, ListAction{ListFor(listing, c)}};
}

StepResult StartWatchList(std::string rv, const WatcherConfig& c) {
  WatchAction action{WatchListFor(rv, c)};
  return {{}, WatchListing{std::move(rv), false}, std::move(action)};
}

StepResult Backoff(State next, const ApiError& e) {
  return {{}, std::move(next), BackoffAction{e.retry_after, e.ToString()}};
}

// A full sync from `s`: by watch-list from the last resourceVersion ("" at first, as
// client-go), or by a list from it ("0" at first); "" after a 410 on it.
StepResult Resync(const Empty& s, const WatcherConfig& c) {
  if (UseWatchList(s.list_fallback, c))
    return StartWatchList(s.last_unavailable ? "" : s.last_resource_version, c);
  std::string rv = s.last_unavailable                ? ""
                   : s.last_resource_version.empty() ? "0"
                                                     : s.last_resource_version;
  return StartList(InitListing{std::move(rv), "", false}, c);
}

// A watch failed to open or broke. 410 → a full sync from the last resourceVersion;
// anything else → back off and reopen the watch from the same resourceVersion.
StepResult WatchFailed(const std::string& rv, bool list_fallback, const ApiError& e,
                       const WatcherConfig& c) {
  if (e.IsResourceExpired()) {
    if (UseWatchList(list_fallback, c)) return StartWatchList(rv, c);
    return StartList(InitListing{rv, "", false}, c);
  }
  return Backoff(InitListed{rv, list_fallback}, e);
}

ApiError ErrorOfEvent(const Object& status) {
  const int code = status.is_object() ? status.value("code", 0) : 0;
  return ApiError::FromResponse(code == 0 ? 500 : code, status.dump());
}

StepResult OnEmpty(const Empty& s, const Input& in, const WatcherConfig& c) {
  if (!std::holds_alternative<Tick>(in))
    return {{}, s, BackoffAction{std::nullopt, "unexpected input"}};
  return Resync(s, c);
}

StepResult OnInitListing(const InitListing& s, Input in, const WatcherConfig& c) {
  auto* done = std::get_if<ListDone>(&in);
  if (done == nullptr) return StartList(s, c);  // Tick after a back-off: retry this page
  if (!done->result.ok()) {
    const ApiError& e = done->result.error();
    if (!e.IsResourceExpired()) {
      // Restart the whole list after the back-off: a half-read list is useless.
      return Backoff(Empty{s.resource_version == "0" ? "" : s.resource_version,
                           s.resource_version.empty(), true},
                     e);
    }
    if (!s.continue_token.empty() && !s.unpaginated) {
      return StartList(InitListing{s.resource_version, "", true}, c);
    }
    if (!s.resource_version.empty()) return StartList(InitListing{"", "", false}, c);
    return Backoff(Empty{"", true}, e);
  }
  ObjectList& list = done->result.value();
  StepResult out{{}, s, ReadStream{}};
  const bool first_page = s.continue_token.empty();
  if (first_page) out.events.push_back({WatcherEvent::Type::kInit, nullptr});
  out.events.reserve(out.events.size() + list.items.size() + 1);
  for (auto& item : list.items)
    out.events.push_back({WatcherEvent::Type::kInitApply, std::move(item)});
  if (!list.continue_token.empty() && !s.unpaginated) {
    InitListing next{s.resource_version, list.continue_token, false};
    out.action = ListAction{ListFor(next, c)};
    out.state = std::move(next);
    return out;
  }
  out.events.push_back({WatcherEvent::Type::kInitDone, nullptr});
  out.state = InitListed{list.resource_version, true};
  out.action = WatchAction{WatchFor(list.resource_version, c)};
  return out;
}

StepResult OnInitListed(const InitListed& s, const Input& in, const WatcherConfig& c) {
  if (auto* opened = std::get_if<WatchOpened>(&in)) {
    if (opened->error) return WatchFailed(s.resource_version, s.list_fallback, *opened->error, c);
    return {{}, Watching{s.resource_version, s.list_fallback}, ReadStream{}};
  }
  return {{}, s, WatchAction{WatchFor(s.resource_version, c)}};
}

StepResult OnStreamEvent(const Watching& s, WatchEvent ev, const WatcherConfig& c) {
  using T = WatchEvent::Type;
  if (ev.type == T::kError)
    return WatchFailed(s.resource_version, s.list_fallback, ErrorOfEvent(ev.object), c);
  std::string rv = ResourceVersionOfObject(ev.object);
  Watching next{rv.empty() ? s.resource_version : rv, s.list_fallback};
  StepResult out{{}, std::move(next), ReadStream{}};
  if (ev.type == T::kAdded || ev.type == T::kModified) {
    out.events.push_back({WatcherEvent::Type::kApply, std::move(ev.object)});
  } else if (ev.type == T::kDeleted) {
    out.events.push_back({WatcherEvent::Type::kDelete, std::move(ev.object)});
  }
  return out;  // kBookmark: only the resourceVersion moved
}

StepResult OnWatching(const Watching& s, Input in, const WatcherConfig& c) {
  if (auto* ev = std::get_if<StreamEvent>(&in)) return OnStreamEvent(s, std::move(ev->event), c);
  if (auto* ended = std::get_if<StreamEnded>(&in)) {
    if (ended->error) return WatchFailed(s.resource_version, s.list_fallback, *ended->error, c);
    InitListed next{s.resource_version, s.list_fallback};
    if (ended->very_short) {
      return Backoff(
          std::move(next),
          ApiError::Transport("VeryShortWatch", "the watch closed at once without events"));
    }
    return {{}, std::move(next), WatchAction{WatchFor(s.resource_version, c)}};
  }
  return {{}, s, ReadStream{}};
}

// --- watch-list ---

bool IsInitialEventsEnd(const Object& bookmark) {
  if (!bookmark.is_object()) return false;
  auto meta = bookmark.find("metadata");
  if (meta == bookmark.end() || !meta->is_object()) return false;
  auto annotations = meta->find("annotations");
  if (annotations == meta->end() || !annotations->is_object()) return false;
  auto end = annotations->find(kInitialEventsEndAnnotation);
  return end != annotations->end() && end->is_string() && end->get<std::string>() == "true";
}

// The server does not accept sendInitialEvents: the WatchList feature is off (422 Invalid),
// or a proxy or an old server refuses the parameter (400, 403).
bool IsWatchListRejected(const ApiError& e) {
  return e.code == 400 || e.IsForbidden() || e.IsInvalid();
}

// LIST+WATCH from now on (client-go falls back to a list too). What was buffered is
// discarded by the list's kInit.
StepResult FallBackToList(const WatchListing& s, const std::string& why, const WatcherConfig& c) {
  spdlog::warn("watcher: watch-list unusable ({}); syncing by LIST+WATCH from now on", why);
  return Resync(Empty{s.resource_version, false, true}, c);
}

// 410 before the end bookmark → at once from "" (after a back-off if "" was the one
// asked); a broken stream → after a back-off, from "" too (client-go).
StepResult RestartWatchList(const WatchListing& s, const ApiError& e, const WatcherConfig& c) {
  if (e.IsResourceExpired() && !s.resource_version.empty()) return StartWatchList("", c);
  return Backoff(Empty{"", true, false}, e);
}

StepResult OnInitialEvent(const WatchListing& s, WatchEvent ev, const WatcherConfig& c) {
  using T = WatchEvent::Type;
  switch (ev.type) {
    case T::kAdded:
    case T::kModified:
      return {{{WatcherEvent::Type::kInitApply, std::move(ev.object)}}, s, ReadStream{}};
    case T::kBookmark: {
      if (!IsInitialEventsEnd(ev.object)) return {{}, s, ReadStream{}};
      std::string rv = ResourceVersionOfObject(ev.object);
      Watching next{rv.empty() ? s.resource_version : rv, false};
      return {{{WatcherEvent::Type::kInitDone, nullptr}}, std::move(next), ReadStream{}};
    }
    case T::kDeleted: return FallBackToList(s, "a DELETED event among the initial events", c);
    case T::kError: return RestartWatchList(s, ErrorOfEvent(ev.object), c);
  }
  return {{}, s, ReadStream{}};
}

StepResult OnWatchListing(const WatchListing& s, Input in, const WatcherConfig& c) {
  if (!s.opened) {
    auto* opened = std::get_if<WatchOpened>(&in);
    if (opened == nullptr) return {{}, s, WatchAction{WatchListFor(s.resource_version, c)}};
    if (!opened->error) {
      return {{{WatcherEvent::Type::kInit, nullptr}},
              WatchListing{s.resource_version, true},
              ReadStream{}};
    }
    const ApiError& e = *opened->error;
    if (IsWatchListRejected(e)) return FallBackToList(s, e.ToString(), c);
    if (e.IsResourceExpired()) return RestartWatchList(s, e, c);
    return Backoff(s, e);  // 429, 5xx, transport: the same request again
  }
  if (auto* ev = std::get_if<StreamEvent>(&in)) return OnInitialEvent(s, std::move(ev->event), c);
  if (auto* ended = std::get_if<StreamEnded>(&in)) {
    if (ended->error) return RestartWatchList(s, *ended->error, c);
    return FallBackToList(s, "the stream ended before the initial-events-end bookmark", c);
  }
  return {{}, s, ReadStream{}};
}

}  // namespace

StepResult Step(const State& state, Input input, const WatcherConfig& config) {
  return std::visit(
      Overloaded{
          [&](const Empty& s) { return OnEmpty(s, input, config); },
          [&](const InitListing& s) { return OnInitListing(s, std::move(input), config); },
          [&](const InitListed& s) { return OnInitListed(s, input, config); },
          [&](const Watching& s) { return OnWatching(s, std::move(input), config); },
          [&](const WatchListing& s) { return OnWatchListing(s, std::move(input), config); },
      },
      state);
}

std::string ResourceVersionOf(const State& state) {
  return std::visit(Overloaded{
                        [](const Empty& s) { return s.last_resource_version; },
                        [](const InitListing& s) { return s.resource_version; },
                        [](const InitListed& s) { return s.resource_version; },
                        [](const Watching& s) { return s.resource_version; },
                        [](const WatchListing& s) { return s.resource_version; },
                    },
                    state);
}

}  // namespace watcher

namespace {

std::unique_ptr<BackoffStrategy> DefaultBackoff(std::unique_ptr<BackoffStrategy> b) {
  if (b) return b;
  return std::make_unique<ExponentialBackoff>(ExponentialBackoff::Options{});
}

}  // namespace

Watcher::Watcher(Client& client, Resource resource, std::string ns, WatcherConfig config,
                 Clock& clock, std::unique_ptr<BackoffStrategy> backoff)
    : client_(client),
      resource_(std::move(resource)),
      ns_(std::move(ns)),
      config_(std::move(config)),
      clock_(clock),
      backoff_(DefaultBackoff(std::move(backoff))) {}

void Watcher::Run(const Sink& sink) {
  watcher::State state = watcher::Empty{};
  watcher::Input input = watcher::Tick{};
  while (!stopped_.load()) {
    watcher::Action action;
    bool relisted = false;
    {
      watcher::StepResult r = watcher::Step(state, std::move(input), config_);
      for (auto& ev : r.events) {
        relisted = relisted || ev.type == WatcherEvent::Type::kInitDone;
        sink(std::move(ev));
      }
      state = std::move(r.state);
      action = std::move(r.action);
    }  // the list's objects, now in the sink's cache, are freed here
    // A list's response and its decoding grow the heap far beyond what a cache keeps, and
    // glibc does not hand that back by itself (measured: 884 MB RSS for a 60 MB cache of
    // 10,000 projected Pods), so it is returned once per relist.
    if (relisted) limen::ReleaseFreeHeap();
    {
      std::lock_guard lock(mu_);
      last_rv_ = watcher::ResourceVersionOf(state);
    }
    if (!std::holds_alternative<watcher::ReadStream>(action)) CloseStream();
    input = Perform(action);
  }
  CloseStream();
}

watcher::Input Watcher::Perform(const watcher::Action& action) {
  if (auto* list = std::get_if<watcher::ListAction>(&action)) {
    return watcher::ListDone{client_.List(resource_, ns_, list->options)};
  }
  if (auto* watch = std::get_if<watcher::WatchAction>(&action)) {
    auto opened = client_.Watch(resource_, ns_, watch->options);
    if (!opened.ok()) return watcher::WatchOpened{opened.error()};
    SetStream(std::move(opened.value()));
    stream_opened_ = clock_.Monotonic();
    events_on_stream_ = 0;
    return watcher::WatchOpened{std::nullopt};
  }
  if (std::holds_alternative<watcher::ReadStream>(action)) {
    WatchStream* stream = nullptr;
    {
      std::lock_guard lock(mu_);
      stream = stream_.get();
    }
    if (stream == nullptr) return watcher::StreamEnded{std::nullopt, false};
    // Only this thread replaces or destroys stream_, so `stream` stays valid here.
    auto next = stream->Next();
    if (!next.ok()) return watcher::StreamEnded{next.error(), false};
    if (!next.value()) {
      // client-go's VeryShortWatchError: a stream that closes at once without an event is
      // a failure in disguise (e.g. a proxy or a restarting apiserver); do not spin.
      const bool very_short =
          events_on_stream_ == 0 && clock_.Monotonic() - stream_opened_ < std::chrono::seconds(1);
      return watcher::StreamEnded{std::nullopt, very_short};
    }
    ++events_on_stream_;
    return watcher::StreamEvent{std::move(*next.value())};
  }
  const auto& b = std::get<watcher::BackoffAction>(action);
  const auto now = clock_.Monotonic();
  if (now - last_backoff_ > kBackoffResetAfter) backoff_->Reset();
  last_backoff_ = now;
  Clock::Duration delay = backoff_->NextBackOff();
  if (b.retry_after && *b.retry_after > delay) delay = *b.retry_after;
  spdlog::warn("watcher {}: {}; retrying in {} ms", resource_.resource, b.reason,
               std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
  internal::SleepUnlessStopped(clock_, delay, stopped_);
  return watcher::Tick{};
}

void Watcher::SetStream(std::unique_ptr<WatchStream> stream) {
  std::lock_guard lock(mu_);
  stream_ = std::move(stream);
  if (stopped_.load()) stream_->Cancel();
}

void Watcher::CloseStream() {
  std::unique_ptr<WatchStream> old;
  {
    std::lock_guard lock(mu_);
    old = std::move(stream_);
  }
  if (old) old->Cancel();
}

void Watcher::Stop() {
  stopped_ = true;
  std::lock_guard lock(mu_);
  if (stream_) stream_->Cancel();
}

std::string Watcher::LastResourceVersion() const {
  std::lock_guard lock(mu_);
  return last_rv_;
}

}  // namespace limen::kube

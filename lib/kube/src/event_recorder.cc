#include "limen/kube/event_recorder.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>

#include "limen/kube/time_format.h"

namespace limen::kube {
namespace {

constexpr size_t kMaxNoteBytes = 1024;

const char* TypeName(EventType t) { return t == EventType::kWarning ? "Warning" : "Normal"; }

std::string ObjectKeyOf(const ObjectReference& r) {
  return r.api_version + "/" + r.kind + "/" + r.ns + "/" + r.name + "/" + r.uid;
}

std::string MetaString(const Object& obj, const char* key) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return "";
  auto it = meta->find(key);
  return it != meta->end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

Object ObjectReference::ToJson() const {
  Object o = Object::object();
  auto put = [&](const char* k, const std::string& v) {
    if (!v.empty()) o[k] = v;
  };
  put("apiVersion", api_version);
  put("kind", kind);
  put("namespace", ns);
  put("name", name);
  put("uid", uid);
  put("resourceVersion", resource_version);
  put("fieldPath", field_path);
  return o;
}

ObjectReference ReferenceTo(const Object& obj) {
  ObjectReference r;
  r.api_version = obj.value("apiVersion", "");
  r.kind = obj.value("kind", "");
  r.ns = MetaString(obj, "namespace");
  r.name = MetaString(obj, "name");
  r.uid = MetaString(obj, "uid");
  r.resource_version = MetaString(obj, "resourceVersion");
  return r;
}

EventRecorder::EventRecorder(Client& client, EventRecorderOptions options, Clock& clock)
    : client_(client), options_(std::move(options)), clock_(clock), worker_([this] { Worker(); }) {}

EventRecorder::~EventRecorder() { Shutdown(); }

TokenBucket& EventRecorder::BucketFor(const std::string& object_key) {
  auto& bucket = buckets_[object_key];
  if (!bucket) bucket = std::make_unique<TokenBucket>(options_.qps, options_.burst, clock_);
  return *bucket;
}

void EventRecorder::Event(const ObjectReference& regarding, EventType type,
                          const std::string& reason, const std::string& action,
                          const std::string& note) {
  Pending p{regarding, type, reason, action, note.substr(0, kMaxNoteBytes), clock_.Now()};
  {
    std::lock_guard lock(mu_);
    if (shutdown_ || queue_.size() >= options_.queue_size ||
        !BucketFor(ObjectKeyOf(regarding)).TryAccept()) {
      ++dropped_;
      return;
    }
    queue_.push_back(std::move(p));
  }
  cv_.notify_one();
}

void EventRecorder::Worker() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [this] { return shutdown_ || !queue_.empty(); });
    if (queue_.empty()) return;  // shut down and drained
    Pending p = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    Write(p);
    lock.lock();
    busy_ = false;
    if (queue_.empty()) idle_cv_.notify_all();
  }
}

void EventRecorder::Write(const Pending& e) {
  const std::string key = ObjectKeyOf(e.regarding) + "\n" + TypeName(e.type) + "\n" + e.reason +
                          "\n" + e.action + "\n" + e.note;
  const auto now = clock_.Monotonic();
  if (series_.size() > 4096) {  // bound the cache: forget series whose window has passed
    std::erase_if(series_,
                  [&](const auto& kv) { return now - kv.second.last > options_.series_window; });
  }
  auto it = series_.find(key);
  if (it != series_.end() && now - it->second.last <= options_.series_window) {
    if (PatchSeries(it->second, e)) return;
  }
  CreateEvent(key, e);
}

bool EventRecorder::PatchSeries(Series& s, const Pending& e) {
  const int64_t count = s.count + 1;
  Object patch = {{"series", {{"count", count}, {"lastObservedTime", FormatMicroTime(e.when)}}}};
  auto r = client_.Patch(resources::kEvents, s.ns, s.name, PatchType::kMerge, patch);
  if (!r.ok()) {
    if (!r.error().IsNotFound())
      spdlog::warn("event series {}/{}: {}", s.ns, s.name, r.error().ToString());
    return false;  // create a fresh Event instead
  }
  s.count = count;
  s.last = clock_.Monotonic();
  return true;
}

void EventRecorder::CreateEvent(const std::string& key, const Pending& e) {
  const std::string ns = e.regarding.ns.empty() ? "default" : e.regarding.ns;
  char suffix[32];
  // client-go names Events "<regarding>.<unix nanos hex>"; kept strictly increasing per
  // recorder so that two Events in the same clock tick do not collide (AlreadyExists).
  const int64_t nanos =
      std::chrono::duration_cast<std::chrono::nanoseconds>(e.when.time_since_epoch()).count();
  last_name_nanos_ = std::max(nanos, last_name_nanos_ + 1);
  std::snprintf(suffix, sizeof suffix, ".%llx", static_cast<unsigned long long>(last_name_nanos_));
  const std::string name =
      (e.regarding.name.empty() ? std::string("limen") : e.regarding.name) + suffix;
  Object ev = {{"apiVersion", "events.k8s.io/v1"},
               {"kind", "Event"},
               {"metadata", {{"name", name}, {"namespace", ns}}},
               {"eventTime", FormatMicroTime(e.when)},
               {"reportingController", options_.reporting_controller},
               {"reportingInstance", options_.reporting_instance},
               {"action", e.action},
               {"reason", e.reason},
               {"type", TypeName(e.type)},
               {"note", e.note},
               {"regarding", e.regarding.ToJson()}};
  auto r = client_.Create(resources::kEvents, ns, ev);
  if (!r.ok()) {
    spdlog::warn("event {} {} on {}/{}: {}", e.reason, e.action, ns, e.regarding.name,
                 r.error().ToString());
    return;
  }
  series_[key] = Series{ns, name, 1, clock_.Monotonic()};
}

void EventRecorder::Flush() {
  std::unique_lock lock(mu_);
  idle_cv_.wait(lock, [this] { return queue_.empty() && !busy_; });
}

void EventRecorder::Shutdown() {
  {
    std::lock_guard lock(mu_);
    shutdown_ = true;
  }
  cv_.notify_all();
  if (worker_.joinable()) worker_.join();
}

}  // namespace limen::kube

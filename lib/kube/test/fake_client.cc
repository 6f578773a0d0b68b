#include "fake_client.h"

namespace limen::kube::testing {
namespace {

std::string Meta(const Object& obj, const char* key) {
  auto meta = obj.find("metadata");
  if (meta == obj.end() || !meta->is_object()) return "";
  return meta->value(key, "");
}

ApiError Error(int code, const std::string& reason, const std::string& message) {
  return ApiError{code, reason, message, nullptr, std::nullopt};
}

// A stream the fake hands out, wrapped so that the fake keeps a shared reference.
class StreamHandle final : public WatchStream {
 public:
  explicit StreamHandle(std::shared_ptr<FakeWatchStream> s) : s_(std::move(s)) {}
  ApiResult<std::optional<WatchEvent>> Next() override { return s_->Next(); }
  void Cancel() override { s_->Cancel(); }

 private:
  std::shared_ptr<FakeWatchStream> s_;
};

}  // namespace

Object MakeObject(const std::string& ns, const std::string& name, const std::string& rv,
                  Object data) {
  Object o = {{"metadata", {{"name", name}}}};
  if (!ns.empty()) o["metadata"]["namespace"] = ns;
  if (!rv.empty()) o["metadata"]["resourceVersion"] = rv;
  if (!data.is_null()) o["data"] = std::move(data);
  return o;
}

ApiResult<std::optional<WatchEvent>> FakeWatchStream::Next() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return cancelled_ || !items_.empty(); });
  if (cancelled_) return std::optional<WatchEvent>();
  auto item = std::move(items_.front());
  items_.pop_front();
  return item;
}

void FakeWatchStream::Cancel() {
  std::lock_guard lock(mu_);
  cancelled_ = true;
  cv_.notify_all();
}

void FakeWatchStream::Push(WatchEvent ev) {
  std::lock_guard lock(mu_);
  items_.emplace_back(std::optional<WatchEvent>(std::move(ev)));
  cv_.notify_all();
}

void FakeWatchStream::End() {
  std::lock_guard lock(mu_);
  items_.emplace_back(std::optional<WatchEvent>());
  cv_.notify_all();
}

void FakeWatchStream::Fail(ApiError error) {
  std::lock_guard lock(mu_);
  items_.emplace_back(std::move(error));
  cv_.notify_all();
}

bool FakeWatchStream::cancelled() const {
  std::lock_guard lock(mu_);
  return cancelled_;
}

std::string FakeClient::Key(const Resource& r, const std::string& ns,
                            const std::string& name) const {
  return r.resource + "/" + ns + "/" + name;
}

std::optional<ApiError> FakeClient::FaultLocked(const std::string& verb, const Resource& r) {
  ++calls_[verb];
  return fault_ ? fault_(verb, r) : std::nullopt;
}

void FakeClient::BroadcastLocked(const Resource& r, WatchEvent::Type type, const Object& obj) {
  for (auto& [resource, stream] : streams_) {
    if (resource == r.resource && !stream->cancelled()) stream->Push({type, obj});
  }
}

ApiResult<Object> FakeClient::Get(const Resource& r, const std::string& ns, const std::string& name,
                                  const RequestOptions&) {
  std::lock_guard lock(mu_);
  if (auto f = FaultLocked("get", r)) return *f;
  auto it = objects_.find(Key(r, ns, name));
  if (it == objects_.end())
    return Error(404, "NotFound", r.resource + " \"" + name + "\" not found");
  return it->second;
}

ApiResult<ObjectList> FakeClient::List(const Resource& r, const std::string& ns,
                                       const ListOptions& opts) {
  ListHandler handler;
  {
    std::lock_guard lock(mu_);
    list_calls_.push_back(opts);
    if (auto f = FaultLocked("list", r)) return *f;
    handler = list_handler_;
  }
  if (handler) return handler(opts);
  std::lock_guard lock(mu_);
  ObjectList out;
  const std::string prefix = r.resource + "/";
  for (const auto& [key, obj] : objects_) {
    if (key.rfind(prefix, 0) != 0) continue;
    if (!ns.empty() && Meta(obj, "namespace") != ns) continue;
    out.items.push_back(obj);
  }
  out.resource_version = std::to_string(rv_);
  return out;
}

ApiResult<Object> FakeClient::Create(const Resource& r, const std::string& ns, const Object& obj,
                                     const RequestOptions&) {
  std::lock_guard lock(mu_);
  if (auto f = FaultLocked("create", r)) return *f;
  const std::string name = Meta(obj, "name");
  const std::string key = Key(r, ns, name);
  if (objects_.count(key) > 0)
    return Error(409, "AlreadyExists", r.resource + " \"" + name + "\" already exists");
  Object stored = obj;
  stored["metadata"]["resourceVersion"] = std::to_string(++rv_);
  stored["metadata"]["uid"] = "uid-" + std::to_string(rv_);
  if (!ns.empty()) stored["metadata"]["namespace"] = ns;
  objects_[key] = stored;
  BroadcastLocked(r, WatchEvent::Type::kAdded, stored);
  return stored;
}

ApiResult<Object> FakeClient::Update(const Resource& r, const std::string& ns, const Object& obj,
                                     const RequestOptions&) {
  std::lock_guard lock(mu_);
  if (auto f = FaultLocked("update", r)) return *f;
  const std::string name = Meta(obj, "name");
  auto it = objects_.find(Key(r, ns, name));
  if (it == objects_.end())
    return Error(404, "NotFound", r.resource + " \"" + name + "\" not found");
  const std::string rv = Meta(obj, "resourceVersion");
  if (!rv.empty() && rv != Meta(it->second, "resourceVersion")) {
    return Error(409, "Conflict",
                 "Operation cannot be fulfilled on " + r.resource + " \"" + name +
                     "\": the object has been modified");
  }
  Object stored = obj;
  stored["metadata"]["resourceVersion"] = std::to_string(++rv_);
  stored["metadata"]["uid"] = it->second["metadata"].value("uid", "");
  if (!ns.empty()) stored["metadata"]["namespace"] = ns;
  it->second = stored;
  BroadcastLocked(r, WatchEvent::Type::kModified, stored);
  return stored;
}

ApiResult<Object> FakeClient::Patch(const Resource& r, const std::string& ns,
                                    const std::string& name, PatchType, const Object& patch,
                                    const PatchOptions&) {
  std::lock_guard lock(mu_);
  if (auto f = FaultLocked("patch", r)) return *f;
  auto it = objects_.find(Key(r, ns, name));
  if (it == objects_.end())
    return Error(404, "NotFound", r.resource + " \"" + name + "\" not found");
  it->second.merge_patch(patch);
  it->second["metadata"]["resourceVersion"] = std::to_string(++rv_);
  BroadcastLocked(r, WatchEvent::Type::kModified, it->second);
  return it->second;
}

ApiResult<Object> FakeClient::Delete(const Resource& r, const std::string& ns,
                                     const std::string& name, const DeleteOptions&) {
  std::lock_guard lock(mu_);
  if (auto f = FaultLocked("delete", r)) return *f;
  auto it = objects_.find(Key(r, ns, name));
  if (it == objects_.end())
    return Error(404, "NotFound", r.resource + " \"" + name + "\" not found");
  Object gone = std::move(it->second);
  objects_.erase(it);
  gone["metadata"]["resourceVersion"] = std::to_string(++rv_);
  BroadcastLocked(r, WatchEvent::Type::kDeleted, gone);
  return gone;
}

ApiResult<std::unique_ptr<WatchStream>> FakeClient::Watch(const Resource& r, const std::string& ns,
                                                          const WatchOptions& opts) {
  WatchHandler handler;
  {
    std::lock_guard lock(mu_);
    watch_calls_.push_back(opts);
    if (auto f = FaultLocked("watch", r)) return *f;
    handler = watch_handler_;
  }
  if (handler) return handler(opts);
  std::lock_guard lock(mu_);
  auto stream = std::make_shared<FakeWatchStream>();
  if (opts.send_initial_events) {
    // Watch-list: every stored object as ADDED, then the initial-events-end bookmark.
    const std::string prefix = r.resource + "/";
    for (const auto& [key, obj] : objects_) {
      if (key.rfind(prefix, 0) != 0) continue;
      if (!ns.empty() && Meta(obj, "namespace") != ns) continue;
      stream->Push({WatchEvent::Type::kAdded, obj});
    }
    Object end = {{"metadata",
                   {{"resourceVersion", std::to_string(rv_)},
                    {"annotations", {{kInitialEventsEndAnnotation, "true"}}}}}};
    stream->Push({WatchEvent::Type::kBookmark, std::move(end)});
  }
  streams_.emplace_back(r.resource, stream);
  return std::unique_ptr<WatchStream>(std::make_unique<StreamHandle>(stream));
}

void FakeClient::SetListHandler(ListHandler h) {
  std::lock_guard lock(mu_);
  list_handler_ = std::move(h);
}

void FakeClient::SetWatchHandler(WatchHandler h) {
  std::lock_guard lock(mu_);
  watch_handler_ = std::move(h);
}

void FakeClient::SetFault(Fault f) {
  std::lock_guard lock(mu_);
  fault_ = std::move(f);
}

std::vector<ListOptions> FakeClient::list_calls() const {
  std::lock_guard lock(mu_);
  return list_calls_;
}

std::vector<WatchOptions> FakeClient::watch_calls() const {
  std::lock_guard lock(mu_);
  return watch_calls_;
}

std::vector<FakeWatchStream*> FakeClient::streams() const {
  std::lock_guard lock(mu_);
  std::vector<FakeWatchStream*> out;
  for (const auto& [resource, s] : streams_) out.push_back(s.get());
  return out;
}

std::vector<Object> FakeClient::Objects(const Resource& r) const {
  std::lock_guard lock(mu_);
  std::vector<Object> out;
  const std::string prefix = r.resource + "/";
  for (const auto& [key, obj] : objects_) {
    if (key.rfind(prefix, 0) == 0) out.push_back(obj);
  }
  return out;
}

int FakeClient::CallCount(const std::string& verb) const {
  std::lock_guard lock(mu_);
  auto it = calls_.find(verb);
  return it == calls_.end() ? 0 : it->second;
}

}  // namespace limen::kube::testing

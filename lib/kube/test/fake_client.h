// FakeClient: an in-memory Client for unit tests of the runtime (the "mock per interface"
// of Envoy's layout). It behaves like a tiny apiserver — resourceVersions from one counter,
// 409 on a stale resourceVersion, 404/AlreadyExists, merge patches, paginated lists — and
// lets a test script failures and watch streams:
//   - list_handler / watch_handler replace List / Watch entirely (to return 410, 429, pages);
//   - fault(verb, resource) injects an error into any call;
//   - every List/Watch call's options are recorded;
//   - a default Watch returns a FakeWatchStream that receives later writes through this
//     client (with send_initial_events, first every stored object as ADDED and the
//     initial-events-end BOOKMARK); a test may also push events, end it cleanly, or break it.
//
// Thread-safety: all methods are safe from any thread (one mutex).
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "limen/kube/client.h"

namespace limen::kube::testing {

class FakeWatchStream final : public WatchStream {
 public:
  ApiResult<std::optional<WatchEvent>> Next() override;
  void Cancel() override;

  void Push(WatchEvent ev);
  void End();                 // a clean end (server timeout)
  void Fail(ApiError error);  // a broken stream
  bool cancelled() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<ApiResult<std::optional<WatchEvent>>> items_;  // guarded by mu_
  bool cancelled_ = false;                                  // guarded by mu_
};

class FakeClient final : public Client {
 public:
  using ListHandler = std::function<ApiResult<ObjectList>(const ListOptions&)>;
  using WatchHandler = std::function<ApiResult<std::unique_ptr<WatchStream>>(const WatchOptions&)>;
  using Fault = std::function<std::optional<ApiError>(const std::string& verb, const Resource&)>;

  ApiResult<Object> Get(const Resource& r, const std::string& ns, const std::string& name,
                        const RequestOptions& opts = {}) override;
  ApiResult<ObjectList> List(const Resource& r, const std::string& ns,
                             const ListOptions& opts = {}) override;
  ApiResult<Object> Create(const Resource& r, const std::string& ns, const Object& obj,
                           const RequestOptions& opts = {}) override;
  ApiResult<Object> Update(const Resource& r, const std::string& ns, const Object& obj,
                           const RequestOptions& opts = {}) override;
  ApiResult<Object> Patch(const Resource& r, const std::string& ns, const std::string& name,
                          PatchType type, const Object& patch,
                          const PatchOptions& opts = {}) override;
  ApiResult<Object> Delete(const Resource& r, const std::string& ns, const std::string& name,
                           const DeleteOptions& opts = {}) override;
  ApiResult<std::unique_ptr<WatchStream>> Watch(const Resource& r, const std::string& ns,
                                                const WatchOptions& opts) override;

  void SetListHandler(ListHandler h);
  void SetWatchHandler(WatchHandler h);
  void SetFault(Fault f);

  std::vector<ListOptions> list_calls() const;
  std::vector<WatchOptions> watch_calls() const;
  // Streams handed out by the default Watch, oldest first.
  std::vector<FakeWatchStream*> streams() const;
  // Stored objects of a resource (any namespace).
  std::vector<Object> Objects(const Resource& r) const;
  int CallCount(const std::string& verb) const;

 private:
  std::string Key(const Resource& r, const std::string& ns, const std::string& name) const;
  std::optional<ApiError> FaultLocked(const std::string& verb, const Resource& r);
  void BroadcastLocked(const Resource& r, WatchEvent::Type type, const Object& obj);

  mutable std::mutex mu_;
  std::map<std::string, Object> objects_;  // guarded by mu_; key "resource/ns/name"
  int64_t rv_ = 100;                       // guarded by mu_
  ListHandler list_handler_;
  WatchHandler watch_handler_;
  Fault fault_;
  std::vector<ListOptions> list_calls_;
  std::vector<WatchOptions> watch_calls_;
  std::vector<std::pair<std::string, std::shared_ptr<FakeWatchStream>>>
      streams_;  // resource, stream
  std::map<std::string, int> calls_;
};

// An object {"metadata": {"name", "namespace", "resourceVersion"}} for tests.
Object MakeObject(const std::string& ns, const std::string& name, const std::string& rv = "",
                  Object data = nullptr);

}  // namespace limen::kube::testing

// Discovery: resolves (apiVersion, kind) to the REST Resource that serves it (plural name,
// namespaced or not) from the apiserver's discovery documents, GET /api/v1 and
// /apis/<group>/<version> (APIResourceList).
//
// Each group-version's document is fetched once and cached. A kind missing from a cached
// document triggers one re-fetch before failing — it may belong to a CRD installed since
// — so callers need no explicit invalidation for new kinds; Invalidate() drops everything
// (e.g. after a CRD was deleted). An unknown kind or group-version is a 404 NotFound
// ApiError whose message names both.
//
// Thread-safety: safe for concurrent use; fetches happen outside the lock.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "limen/kube/client.h"

namespace limen::kube {

class HttpClient;

class Discovery {
 public:
  // Returns the decoded JSON body of a GET of `path`.
  using Fetch = std::function<ApiResult<Object>(const std::string& path)>;
  explicit Discovery(Fetch fetch);
  // Uses client.GetPath. `client` must outlive the Discovery.
  explicit Discovery(HttpClient& client);

  ApiResult<Resource> Resolve(const std::string& api_version, const std::string& kind);
  // Resolves the object's own apiVersion and kind.
  ApiResult<Resource> ResolveFor(const Object& obj);
  void Invalidate();

  // The discovery path of a group-version: "v1" → /api/v1, "apps/v1" → /apis/apps/v1.
  // Empty for a malformed apiVersion.
  static std::string PathFor(const std::string& api_version);
  // The Resources of an APIResourceList (subresources such as pods/status excluded).
  static std::vector<Resource> ParseResourceList(const std::string& api_version,
                                                 const Object& list);

 private:
  ApiResult<std::vector<Resource>> Load(const std::string& api_version);

  const Fetch fetch_;  // constant after construction
  std::mutex mu_;
  std::map<std::string, std::vector<Resource>> cache_;  // guarded by mu_; key: apiVersion
};

}  // namespace limen::kube

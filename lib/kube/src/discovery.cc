#include "limen/kube/discovery.h"

#include <algorithm>
#include <optional>

#include "limen/kube/http_client.h"

namespace limen::kube {
namespace {

ApiError NotFound(std::string message) {
  return ApiError{404, "NotFound", std::move(message), nullptr, std::nullopt};
}

std::optional<Resource> FindKind(const std::vector<Resource>& resources, const std::string& kind) {
  const auto it = std::find_if(resources.begin(), resources.end(),
                               [&](const Resource& r) { return r.kind == kind; });
  if (it == resources.end()) return std::nullopt;
  return *it;
}

}  // namespace

Discovery::Discovery(Fetch fetch) : fetch_(std::move(fetch)) {}

Discovery::Discovery(HttpClient& client)
    : fetch_([&client](const std::string& path) { return client.GetPath(path); }) {}

std::string Discovery::PathFor(const std::string& api_version) {
  const auto slash = api_version.find('/');
  if (api_version.empty() || api_version.find_first_of(" ?#") != std::string::npos) return "";
  if (slash == std::string::npos) return "/api/" + api_version;
  if (slash == 0 || slash + 1 == api_version.size() ||
      api_version.find('/', slash + 1) != std::string::npos) {
    return "";
  }
  return "/apis/" + api_version;
}

std::vector<Resource> Discovery::ParseResourceList(const std::string& api_version,
                                                   const Object& list) {
  std::vector<Resource> out;
  const auto slash = api_version.find('/');
  const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  const std::string version =
      slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  if (!list.is_object()) return out;
  const auto resources = list.find("resources");
  if (resources == list.end() || !resources->is_array()) return out;
  for (const auto& r : *resources) {
    if (!r.is_object()) continue;
    const std::string name = r.value("name", "");
    const std::string kind = r.value("kind", "");
    if (name.empty() || kind.empty() || name.find('/') != std::string::npos) continue;
    out.push_back(Resource{group, version, name, kind, r.value("namespaced", false)});
  }
  return out;
}

ApiResult<std::vector<Resource>> Discovery::Load(const std::string& api_version) {
  const std::string path = PathFor(api_version);
  auto body = fetch_(path);
  if (!body.ok()) {
    if (body.error().IsNotFound()) {
      return NotFound("apiVersion \"" + api_version + "\" is not served by the apiserver (GET " +
                      path + " → 404)");
    }
    return body.error();
  }
  auto resources = ParseResourceList(api_version, *body);
  std::lock_guard lock(mu_);
  cache_[api_version] = resources;
  return resources;
}

ApiResult<Resource> Discovery::Resolve(const std::string& api_version, const std::string& kind) {
  if (PathFor(api_version).empty() || kind.empty()) {
    return ApiError{
        400, "BadRequest",
        "discovery: malformed apiVersion \"" + api_version + "\" or kind \"" + kind + "\"", nullptr,
        std::nullopt};
  }
  {
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(api_version); it != cache_.end()) {
      if (auto r = FindKind(it->second, kind)) return *r;
    }
  }
  // Not cached, or a miss in a cached document (perhaps a CRD installed since): re-fetch.
  auto resources = Load(api_version);
  if (!resources.ok()) return resources.error();
  if (auto r = FindKind(*resources, kind)) return *r;
  return NotFound("no resource of kind \"" + kind + "\" in apiVersion \"" + api_version + "\"");
}

ApiResult<Resource> Discovery::ResolveFor(const Object& obj) {
  if (!obj.is_object())
    return ApiError{400, "BadRequest", "discovery: not an object", nullptr, std::nullopt};
  return Resolve(obj.value("apiVersion", ""), obj.value("kind", ""));
}

void Discovery::Invalidate() {
  std::lock_guard lock(mu_);
  cache_.clear();
}

}  // namespace limen::kube

#include "limen/webhook/config.h"

#include <cctype>
#include <functional>
#include <map>

namespace limen::webhook {
namespace {

using Setter = std::function<Status(const nlohmann::json&, InjectorConfig&)>;

template <class T>
Setter Member(const char* key, T InjectorConfig::*member) {
  return [key, member](const nlohmann::json& v, InjectorConfig& c) -> Status {
    if constexpr (std::is_same_v<T, std::string>) {
      if (!v.is_string()) return Status::InvalidArgument(std::string(key) + ": expected string");
      c.*member = v.get<std::string>();
    } else if constexpr (std::is_same_v<T, bool>) {
      if (!v.is_boolean()) return Status::InvalidArgument(std::string(key) + ": expected boolean");
      c.*member = v.get<bool>();
    } else if constexpr (std::is_same_v<T, int64_t>) {
      if (!v.is_number_integer()) {
        return Status::InvalidArgument(std::string(key) + ": expected integer");
      }
      c.*member = v.get<int64_t>();
    } else {
      if (!v.is_array()) return Status::InvalidArgument(std::string(key) + ": expected array");
      std::vector<std::string> out;
      for (const auto& item : v) {
        if (!item.is_string()) {
          return Status::InvalidArgument(std::string(key) + ": expected array of strings");
        }
        out.push_back(item.get<std::string>());
      }
      c.*member = std::move(out);
    }
    return Status::Ok();
  };
}

const std::map<std::string, Setter>& Setters() {
  static const auto* setters = new std::map<std::string, Setter>{
      {"sidecarName", Member("sidecarName", &InjectorConfig::sidecar_name)},
      {"sidecarImage", Member("sidecarImage", &InjectorConfig::sidecar_image)},
      {"sidecarCommand", Member("sidecarCommand", &InjectorConfig::sidecar_command)},
      {"cpuRequest", Member("cpuRequest", &InjectorConfig::cpu_request)},
      {"memoryRequest", Member("memoryRequest", &InjectorConfig::memory_request)},
      {"cpuLimit", Member("cpuLimit", &InjectorConfig::cpu_limit)},
      {"memoryLimit", Member("memoryLimit", &InjectorConfig::memory_limit)},
      {"runAsUser", Member("runAsUser", &InjectorConfig::run_as_user)},
      {"runAsGroup", Member("runAsGroup", &InjectorConfig::run_as_group)},
      {"maxConcurrency", Member("maxConcurrency", &InjectorConfig::max_concurrency)},
      {"nativeSidecar", Member("nativeSidecar", &InjectorConfig::native_sidecar)},
      {"locator", Member("locator", &InjectorConfig::locator)},
      {"limenNamespace", Member("limenNamespace", &InjectorConfig::limen_namespace)},
  };
  return *setters;
}

}  // namespace

Status ApplyConfigJson(const nlohmann::json& j, InjectorConfig& config) {
  if (!j.is_object()) return Status::InvalidArgument("injector config: expected an object");
  for (const auto& [key, value] : j.items()) {
    const auto it = Setters().find(key);
    if (it == Setters().end()) {
      return Status::InvalidArgument("injector config: unknown key \"" + key + "\"");
    }
    LIMEN_RETURN_IF_ERROR(it->second(value, config).WithContext("injector config"));
  }
  return Status::Ok();
}

bool IsPinnedByDigest(const std::string& reference) {
  const auto at = reference.rfind("@sha256:");
  if (at == std::string::npos || at == 0) return false;
  const std::string hex = reference.substr(at + 8);
  if (hex.size() != 64) return false;
  for (char c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) ||
        std::isupper(static_cast<unsigned char>(c)))
      return false;
  }
  return true;
}

Status Validate(const InjectorConfig& c) {
  if (!IsPinnedByDigest(c.sidecar_image)) {
    return Status::InvalidArgument("sidecarImage \"" + c.sidecar_image +
                                   "\" is not pinned by digest (want name@sha256:<64 hex>)");
  }
  if (c.sidecar_name.empty()) return Status::InvalidArgument("sidecarName is empty");
  if (c.run_as_user <= 0) {
    return Status::InvalidArgument(
        "runAsUser must be a non-root uid (> 0) for Pod Security "
        "\"restricted\"");
  }
  if (c.max_concurrency < 1) return Status::InvalidArgument("maxConcurrency must be >= 1");
  if (c.locator.empty()) return Status::InvalidArgument("locator is empty");
  return Status::Ok();
}

}  // namespace limen::webhook

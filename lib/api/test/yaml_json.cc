#include "yaml_json.h"

#include "limen/api/well_known.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <initializer_list>

#include "limen/api/instrumented_workload.h"
#include "limen/api/node_probe_state.h"
#include "limen/api/observability_policy.h"
#include "limen/api/resilience_policy.h"
#include "limen/api/wasm_filter.h"

namespace limen::api::testing {
namespace {

bool OneOf(const std::string& s, std::initializer_list<const char*> words) {
  for (const char* w : words) {
    if (s == w) return true;
  }
  return false;
}

bool AllDigits(const std::string& s, size_t from, size_t to) {
  if (from >= to) return false;
  for (size_t i = from; i < to; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// [-+]?[0-9]+
bool IsInt(const std::string& s) {
  const size_t start = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  return AllDigits(s, start, s.size());
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsFloat(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  const size_t int_start = i;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  const bool int_digits = i > int_start;
  bool frac_digits = false;
  if (i < s.size() && s[i] == '.') {
    const size_t frac_start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    frac_digits = i > frac_start;
  }
  if (!int_digits && !frac_digits) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    return AllDigits(s, i, s.size());
  }
  return i == s.size();
}

Json Scalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return text;  // quoted or !!str
  if (OneOf(text, {"~", "null", "Null", "NULL", ""})) return nullptr;
  if (OneOf(text, {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})) {
    return true;
  }
  if (OneOf(text, {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})) {
    return false;
  }
  if (IsInt(text)) {
    errno = 0;
    const long long v = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == 0) return static_cast<int64_t>(v);
  }
  if (IsFloat(text)) return std::strtod(text.c_str(), nullptr);
  return text;
}

Json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null: return nullptr;
    case YAML::NodeType::Scalar: return Scalar(node);
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(ToJson(item));
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) out[kv.first.Scalar()] = ToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Undefined: break;
  }
  return nullptr;
}

template <class T>
StatusOr<Json> RoundTripAs(const Json& object, bool apply_defaults) {
  LIMEN_ASSIGN_OR_RETURN(T value, Decode<T>(object));
  if (apply_defaults) SetDefaults(value);
  return Encode(value);
}

}  // namespace

StatusOr<Json> RoundTrip(const Json& object, bool apply_defaults) {
  const std::string kind = object.is_object() ? object.value("kind", "") : "";
  if (kind == kKindObservabilityPolicy)
    return RoundTripAs<ObservabilityPolicy>(object, apply_defaults);
  if (kind == kKindResiliencePolicy) return RoundTripAs<ResiliencePolicy>(object, apply_defaults);
  if (kind == kKindWasmFilter) return RoundTripAs<WasmFilter>(object, apply_defaults);
  if (kind == kKindInstrumentedWorkload)
    return RoundTripAs<InstrumentedWorkload>(object, apply_defaults);
  if (kind == kKindNodeProbeState) return RoundTripAs<NodeProbeState>(object, apply_defaults);
  return Status::InvalidArgument("no lib/api type for kind \"" + kind + "\"");
}

std::vector<Json> LoadYamlFile(const std::string& path) {
  std::vector<Json> out;
  try {
    for (const YAML::Node& doc : YAML::LoadAllFromFile(path)) {
      if (!doc.IsNull()) out.push_back(ToJson(doc));
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << path << ": " << e.what();
  }
  return out;
}

std::string CrdDir() { return std::string(LIMEN_SOURCE_DIR) + "/crds"; }

std::vector<std::string> YamlFilesIn(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".yaml") {
      out.push_back(entry.path().string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

const Json& CrdSchema(const Json& crd) {
  return crd.at("spec").at("versions").at(0).at("schema").at("openAPIV3Schema");
}

void ApplySchemaDefaults(Json& value, const Json& schema) {
  if (value.is_object()) {
    const auto props = schema.find("properties");
    if (props != schema.end()) {
      for (const auto& [name, prop] : props->items()) {
        const auto def = prop.find("default");
        if (def == prop.end()) continue;
        const auto it = value.find(name);
        if (it == value.end() || it->is_null()) value[name] = *def;
      }
    }
    for (auto& [name, child] : value.items()) {
      if (props != schema.end() && props->contains(name)) {
        ApplySchemaDefaults(child, (*props)[name]);
      } else if (schema.contains("additionalProperties") &&
                 schema["additionalProperties"].is_object()) {
        ApplySchemaDefaults(child, schema["additionalProperties"]);
      }
    }
  } else if (value.is_array() && schema.contains("items")) {
    for (auto& item : value) ApplySchemaDefaults(item, schema["items"]);
  }
}

Json Skeleton(const Json& schema) {
  Json out = Json::object();
  const auto props = schema.find("properties");
  if (props == schema.end()) return out;
  for (const auto& [name, prop] : props->items()) {
    const std::string type = prop.value("type", "");
    if (type == "object" && prop.contains("properties")) {
      out[name] = Skeleton(prop);
    } else if (type == "array" && prop.contains("items") &&
               prop["items"].value("type", "") == "object" &&
               prop["items"].contains("properties")) {
      out[name] = Json::array({Skeleton(prop["items"])});
    }
  }
  return out;
}

std::vector<std::string> DefaultedPaths(const Json& schema, const std::string& prefix) {
  std::vector<std::string> out;
  const auto props = schema.find("properties");
  if (props == schema.end()) return out;
  for (const auto& [name, prop] : props->items()) {
    const std::string path = prefix.empty() ? name : prefix + "." + name;
    if (prop.contains("default")) out.push_back(path);
    auto nested = DefaultedPaths(prop, path);
    if (prop.contains("items")) {
      auto items = DefaultedPaths(prop["items"], path + "[]");
      nested.insert(nested.end(), items.begin(), items.end());
    }
    out.insert(out.end(), nested.begin(), nested.end());
  }
  return out;
}

}  // namespace limen::api::testing

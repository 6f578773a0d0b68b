#include "cases.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "limen/api/codec.h"

namespace limen::envoy::cases {
namespace {

bool IsInt(const std::string& s) {
  const size_t start = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  return s.size() > start && std::all_of(s.begin() + static_cast<long>(start), s.end(),
                                         [](char c) { return c >= '0' && c <= '9'; });
}

Json Scalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return text;
  if (text == "~" || text == "null" || text.empty()) return nullptr;
  if (text == "true" || text == "True" || text == "yes") return true;
  if (text == "false" || text == "False" || text == "no") return false;
  if (IsInt(text) && text.size() < 19) return std::stoll(text);
  return text;  // floats never occur in Limen's specs
}

Json ToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) out[kv.first.Scalar()] = ToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(ToJson(item));
      return out;
    }
    case YAML::NodeType::Scalar: return Scalar(node);
    default: return nullptr;
  }
}

StatusOr<std::vector<int>> Ports(const std::string& text) {
  std::vector<int> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!IsInt(item) || item.size() > 6)
      return Status::InvalidArgument("limen.dev/test-app-ports: bad port \"" + item + "\"");
    out.push_back(std::stoi(item));
  }
  return out;
}

}  // namespace

StatusOr<std::vector<Json>> LoadYaml(const std::string& path) {
  try {
    std::vector<Json> docs;
    for (const YAML::Node& doc : YAML::LoadAllFromFile(path)) {
      if (!doc.IsNull()) docs.push_back(ToJson(doc));
    }
    return docs;
  } catch (const std::exception& e) {  // yaml-cpp reports by exception: convert here
    return Status::InvalidArgument(path + ": " + e.what());
  }
}

StatusOr<Case> LoadCase(const std::vector<std::string>& files) {
  Case c;
  bool have_policy = false;
  for (size_t i = 0; i < files.size(); ++i) {
    LIMEN_ASSIGN_OR_RETURN(auto docs, LoadYaml(files[i]));
    for (const Json& doc : docs) {
      if (!doc.is_object())
        return Status::InvalidArgument(files[i] + ": a document is not an object");
      const std::string kind = doc.value("kind", "");
      if (kind == "ResiliencePolicy" && !have_policy) {
        LIMEN_ASSIGN_OR_RETURN(c.policy, api::Decode<api::ResiliencePolicy>(doc));
        have_policy = true;
      } else if (kind == "WasmFilter") {
        LIMEN_ASSIGN_OR_RETURN(auto f, api::Decode<api::WasmFilter>(doc));
        c.filters.push_back(std::move(f));
      } else {
        return Status::InvalidArgument(files[i] + ": unexpected document of kind \"" + kind + "\"");
      }
    }
  }
  if (!have_policy) return Status::InvalidArgument("no ResiliencePolicy in the case files");
  c.name = files.empty() ? "" : std::filesystem::path(files[0]).stem().string();
  const auto& ann = c.policy.metadata.annotations;
  auto ports = ann.find("limen.dev/test-app-ports");
  if (ports == ann.end()) {
    c.app_ports = {8080};
  } else {
    LIMEN_ASSIGN_OR_RETURN(c.app_ports, Ports(ports->second));
  }
  if (auto e = ann.find("limen.dev/test-expect-error"); e != ann.end()) c.expect_error = e->second;
  return c;
}

std::vector<std::string> YamlFilesIn(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".yaml") out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace limen::envoy::cases

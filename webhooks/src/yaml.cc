#include "limen/webhook/yaml.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <sstream>

namespace limen::webhook {
namespace {

using Json = nlohmann::json;

bool OneOf(const std::string& s, std::initializer_list<const char*> words) {
  for (const char* w : words) {
    if (s == w) return true;
  }
  return false;
}

bool IsInt(const std::string& s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i >= s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

bool IsFloat(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  errno = 0;
  std::strtod(s.c_str(), &end);
  // Only decimal forms (no hex, inf, nan): YAML 1.2 core schema floats.
  const bool plain = s.find_first_not_of("0123456789+-.eE") == std::string::npos;
  return plain && errno == 0 && end == s.c_str() + s.size();
}

Json Scalar(const YAML::Node& node) {
  const std::string& text = node.Scalar();
  const std::string& tag = node.Tag();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return text;
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

Json ToJson(const YAML::Node& node, int depth) {
  if (depth > 256) return nullptr;  // bounded recursion on hostile input
  switch (node.Type()) {
    case YAML::NodeType::Null: return nullptr;
    case YAML::NodeType::Scalar: return Scalar(node);
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(ToJson(item, depth + 1));
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) out[kv.first.Scalar()] = ToJson(kv.second, depth + 1);
      return out;
    }
    case YAML::NodeType::Undefined: break;
  }
  return nullptr;
}

}  // namespace

StatusOr<std::vector<Json>> ParseYamlDocuments(const std::string& text) {
  std::vector<Json> out;
  try {
    for (const YAML::Node& doc : YAML::LoadAll(text)) {
      if (!doc.IsNull()) out.push_back(ToJson(doc, 0));
    }
  } catch (const std::exception& e) {
    return Status::InvalidArgument(std::string("YAML: ") + e.what());
  }
  return out;
}

StatusOr<std::vector<Json>> LoadYamlFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  auto docs = ParseYamlDocuments(ss.str());
  if (!docs.ok()) return docs.status().WithContext(path);
  return docs;
}

}  // namespace limen::webhook

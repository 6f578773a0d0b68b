// RFC 6902 JSON Patch building blocks for the injection planner: JSON Pointer escaping
// (RFC 6901: "~" → "~0", "/" → "~1") and a small builder of "add"/"remove" operations.
//
// Thread-safety: pure functions and plain values.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace limen::webhook {

using Json = nlohmann::json;

// One JSON Pointer reference token: "limen.dev/injected" → "limen.dev~1injected".
std::string EscapePointerToken(std::string_view token);

// Collects operations in order; the result is a JSON array ready for AdmissionResponse.patch.
class PatchBuilder {
 public:
  // `path` must already be escaped (built with EscapePointerToken).
  void Add(std::string path, Json value);
  void Remove(std::string path);
  bool empty() const { return ops_.empty(); }
  const Json& ops() const { return ops_; }
  Json Take() { return std::move(ops_); }

 private:
  Json ops_ = Json::array();
};

}  // namespace limen::webhook

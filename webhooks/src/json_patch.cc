#include "limen/webhook/json_patch.h"

#include <utility>

namespace limen::webhook {

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    // "~" first by construction: each character is escaped once, so "~1" in the input
    // becomes "~01" and never reads back as "/".
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

void PatchBuilder::Add(std::string path, Json value) {
  ops_.push_back({{"op", "add"}, {"path", std::move(path)}, {"value", std::move(value)}});
}

void PatchBuilder::Remove(std::string path) {
  ops_.push_back({{"op", "remove"}, {"path", std::move(path)}});
}

}  // namespace limen::webhook

#include "limen/kube/field_filter.h"

#include <algorithm>
#include <climits>

#include "filtered_reader.h"

namespace limen::kube {
namespace {

// nlohmann's parser callback (the reference ReadFiltered matches, and the fallback for what
// it leaves to nlohmann), tracking where in the document each event is. `depth` is the
// number of open containers; a dropped member's nested events still arrive (without their
// end events), so the position is rebuilt from `depth` at every event rather than from a
// stack of start/end events.
class FilteringCallback {
 public:
  FilteringCallback(const FieldFilter& filter, const std::vector<std::string>& object_path)
      : filter_(filter), object_path_(object_path) {}

  bool operator()(int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    const size_t d = static_cast<size_t>(depth);
    switch (event) {
      case E::key:
        if (depth > drop_depth_) return false;  // inside a dropped member
        drop_depth_ = INT_MAX;
        if (!Keep(d, parsed.get_ref<const std::string&>())) {
          drop_depth_ = depth;
          return false;
        }
        return true;
      case E::object_start:
      case E::array_start:
        if (depth >= drop_depth_) return false;  // the dropped member's value, or inside it
        drop_depth_ = INT_MAX;                   // a container one level up: left it
        // A new container at level d + 1: named by the pending key if its parent is an
        // object, unnamed (an element) if it is an array or the document root.
        levels_.resize(d);
        levels_.push_back(Level{event == E::array_start, ParentIsObject(d) ? pending_key_ : ""});
        return true;
      case E::value: return depth < drop_depth_;
      case E::object_end:
      case E::array_end:
        if (depth < drop_depth_) drop_depth_ = INT_MAX;
        return true;
    }
    return true;
  }

 private:
  struct Level {
    bool is_array = false;
    std::string name;  // "" for array elements and the root
  };

  bool ParentIsObject(size_t d) const {
    return d > 0 && d <= levels_.size() && !levels_[d - 1].is_array;
  }

  // The member `key` of the object at level d.
  bool Keep(size_t d, const std::string& key) {
    pending_key_ = key;
    path_.clear();
    for (size_t i = 1; i < d && i < levels_.size(); ++i) {
      if (!levels_[i].name.empty()) path_.push_back(levels_[i].name);
    }
    // Is the object at level d at or below object_path_?
    if (path_.size() < object_path_.size() ||
        !std::equal(object_path_.begin(), object_path_.end(), path_.begin())) {
      return true;  // the envelope
    }
    rel_.assign(path_.begin() + static_cast<std::ptrdiff_t>(object_path_.size()), path_.end());
    return internal::Kept(&filter_, rel_, key);
  }

  const FieldFilter& filter_;
  const std::vector<std::string>& object_path_;
  std::vector<Level> levels_;  // levels_[i]: the container at level i + 1
  std::string pending_key_;
  int drop_depth_ = INT_MAX;  // a member at this depth was dropped; deeper events belong to it
  std::vector<std::string_view> path_, rel_;
};

}  // namespace

const FieldMask::Node* FieldMask::Node::Child(std::string_view key) const {
  if (auto it = exact.find(key); it != exact.end()) return &it->second;
  for (const auto& [prefix, node] : prefixes) {
    if (key.starts_with(prefix)) return &node;
  }
  return nullptr;
}

FieldMask::FieldMask(bool keeping, const std::vector<Path>& paths) : keeping_(keeping) {
  for (const Path& path : paths) {
    Node* node = &root_;
    for (const std::string& key : path) {
      if (!key.empty() && key.back() == '*') {
        std::string prefix = key.substr(0, key.size() - 1);
        auto it = std::find_if(node->prefixes.begin(), node->prefixes.end(),
                               [&](const Prefixed& p) { return p.prefix == prefix; });
        if (it == node->prefixes.end()) {
          node->prefixes.push_back(Prefixed{std::move(prefix), Node{}});
          it = std::prev(node->prefixes.end());
        }
        node = &it->node;
      } else {
        node = &node->exact[key];
      }
    }
    node->leaf = true;
  }
}

std::shared_ptr<const FieldMask> FieldMask::Keeping(const std::vector<Path>& paths) {
  return std::shared_ptr<const FieldMask>(new FieldMask(true, paths));
}

std::shared_ptr<const FieldMask> FieldMask::AllExcept(const std::vector<Path>& paths) {
  return std::shared_ptr<const FieldMask>(new FieldMask(false, paths));
}

bool FieldMask::Keep(const std::vector<std::string_view>& path, std::string_view key) const {
  const Node* node = &root_;
  for (std::string_view step : path) {
    if (node->leaf) return keeping_;  // inside a listed subtree
    node = node->Child(step);
    if (node == nullptr) return !keeping_;  // off every listed path
  }
  if (node->leaf) return keeping_;
  const Node* child = node->Child(key);
  if (child == nullptr) return !keeping_;
  // Keeping: on the way to (or at) a kept path. Excepting: dropped only if the path ends
  // here; a member on the way to a dropped path is kept (its other members survive).
  return keeping_ || !child->leaf;
}

Object internal::ParseFilteredByNlohmann(std::string_view json, const FieldFilter* filter,
                                         const std::vector<std::string>& object_path) {
  if (filter == nullptr) return Object::parse(json, nullptr, /*allow_exceptions=*/false);
  FilteringCallback callback(*filter, object_path);
  return Object::parse(json, std::ref(callback), /*allow_exceptions=*/false);
}

Object ParseFiltered(std::string_view json, const FieldFilter* filter,
                     const std::vector<std::string>& object_path) {
  internal::ReadResult read = internal::ReadFiltered(json, filter, object_path);
  if (read.status == internal::ReadResult::kOk) return std::move(read.value);
  // nlohmann decides the rest (it rejects what the reader found invalid: tests and the fuzzer
  // check that, but a rare invalid input is not worth the risk of trusting it).
  return internal::ParseFilteredByNlohmann(json, filter, object_path);
}

}  // namespace limen::kube

// JSON codecs for the API types: decoding into StatusOr with errors that name the field
// path, and encoding that keeps every field this version of Limen does not know.
//
// An API struct lists its fields once, in a static `Fields(self, f)` that calls
// `f("jsonName", self.member)` for each member (the C++ spelling of Go's struct tags), and
// carries `Json source`: the object it was decoded from. Encode starts from `source` and
// overlays the known fields, so fields written by a newer Limen, by another controller or by
// a user survive a decode → modify → encode cycle; an operator must never drop them.
//
// Presence follows the JSON: a plain member that is zero/empty is written only when its key
// was present in `source` (so `dropped: 0` stays and an absent field stays absent); a
// std::optional member is written when it has a value and removed when it is reset. Fields
// whose absence means "use the default" are std::optional. JSON null is treated as absent
// and left as it was.
//
// Supported member types: std::string, int64_t, bool, Time (RFC 3339 string), Json
// (free-form), std::optional<T>, std::vector<T>, std::map<std::string, T>, and API structs.
//
// Thread-safety: pure functions on values. No exception escapes: every type is checked
// before nlohmann's accessors are used.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "limen/api/time.h"
#include "limen/base/status.h"

namespace limen::api {

using Json = nlohmann::json;

namespace codec {

// A stand-in field visitor used only to detect API structs.
struct AnyField {
  template <class T>
  void operator()(std::string_view, T&) const {}
};

template <class T>
concept ApiStruct = requires(T& t) {
  T::Fields(t, AnyField{});
  { t.source } -> std::convertible_to<Json>;
};

// "spec" + "readiness" → "spec.readiness"; "" + "spec" → "spec".
std::string Child(const std::string& path, std::string_view key);
std::string Index(const std::string& path, size_t i);
// "spec.x: expected integer, got string" (or without "spec.x: " at the root).
Status TypeError(const std::string& path, std::string_view want, const Json& got);
// True for null, 0, false, "", [] and {}: values an absent key would decode to.
bool IsZero(const Json& j);

template <class T>
struct Codec;

template <>
struct Codec<std::string> {
  static Status Decode(const Json& j, const std::string& path, std::string& out);
  static Json Encode(const std::string& v) { return v; }
};
template <>
struct Codec<int64_t> {
  static Status Decode(const Json& j, const std::string& path, int64_t& out);
  static Json Encode(int64_t v) { return v; }
};
template <>
struct Codec<bool> {
  static Status Decode(const Json& j, const std::string& path, bool& out);
  static Json Encode(bool v) { return v; }
};
template <>
struct Codec<Json> {
  static Status Decode(const Json& j, const std::string&, Json& out) {
    out = j;
    return Status::Ok();
  }
  static Json Encode(const Json& v) { return v; }
};
template <>
struct Codec<Time> {
  static Status Decode(const Json& j, const std::string& path, Time& out);
  static Json Encode(Time v) { return FormatTime(v); }
};

template <class T>
struct Codec<std::vector<T>> {
  static Status Decode(const Json& j, const std::string& path, std::vector<T>& out) {
    if (!j.is_array()) return TypeError(path, "array", j);
    out.clear();
    out.reserve(j.size());
    for (size_t i = 0; i < j.size(); ++i) {
      T item{};
      LIMEN_RETURN_IF_ERROR(Codec<T>::Decode(j[i], Index(path, i), item));
      out.push_back(std::move(item));
    }
    return Status::Ok();
  }
  static Json Encode(const std::vector<T>& v) {
    Json out = Json::array();
    for (const T& item : v) out.push_back(Codec<T>::Encode(item));
    return out;
  }
};

template <class T>
struct Codec<std::map<std::string, T>> {
  static Status Decode(const Json& j, const std::string& path, std::map<std::string, T>& out) {
    if (!j.is_object()) return TypeError(path, "object", j);
    out.clear();
    for (const auto& [key, value] : j.items()) {
      T item{};
      LIMEN_RETURN_IF_ERROR(Codec<T>::Decode(value, Child(path, key), item));
      out.emplace(key, std::move(item));
    }
    return Status::Ok();
  }
  static Json Encode(const std::map<std::string, T>& v) {
    Json out = Json::object();
    for (const auto& [key, value] : v) out[key] = Codec<T>::Encode(value);
    return out;
  }
};

// Field-level rules (see the file comment for presence).
template <class T>
Status DecodeField(const Json& obj, std::string_view key, const std::string& path, T& out) {
  const auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return Status::Ok();
  return Codec<T>::Decode(*it, Child(path, key), out);
}
template <class T>
Status DecodeField(const Json& obj, std::string_view key, const std::string& path,
                   std::optional<T>& out) {
  const auto it = obj.find(std::string(key));
  if (it == obj.end() || it->is_null()) return Status::Ok();
  out.emplace();
  return Codec<T>::Decode(*it, Child(path, key), *out);
}
template <class T>
void EncodeField(Json& out, std::string_view key, const T& v) {
  Json e = Codec<T>::Encode(v);
  const std::string k(key);
  const auto it = out.find(k);
  const bool present = it != out.end() && !it->is_null();
  if (IsZero(e) && !present) return;
  out[k] = std::move(e);
}
template <class T>
void EncodeField(Json& out, std::string_view key, const std::optional<T>& v) {
  const std::string k(key);
  if (!v) {
    const auto it = out.find(k);
    if (it != out.end() && !it->is_null()) out.erase(it);
    return;
  }
  out[k] = Codec<T>::Encode(*v);
}

template <ApiStruct T>
struct Codec<T> {
  static Status Decode(const Json& j, const std::string& path, T& out) {
    if (!j.is_object()) return TypeError(path, "object", j);
    out.source = j;
    Status status;
    T::Fields(out, [&](std::string_view key, auto& member) {
      if (status.ok()) status = DecodeField(j, key, path, member);
    });
    return status;
  }
  static Json Encode(const T& v) {
    Json out = v.source.is_object() ? v.source : Json::object();
    T::Fields(v, [&](std::string_view key, const auto& member) { EncodeField(out, key, member); });
    return out;
  }
};

}  // namespace codec

// Decodes an API value from JSON; the error names the field path.
template <class T>
StatusOr<T> Decode(const Json& j) {
  T out{};
  LIMEN_RETURN_IF_ERROR(codec::Codec<T>::Decode(j, "", out));
  return out;
}

// Encodes an API value, keeping the unknown fields of its `source`.
template <class T>
Json Encode(const T& v) {
  return codec::Codec<T>::Encode(v);
}

// Parses JSON text without throwing.
StatusOr<Json> ParseJson(std::string_view text);

}  // namespace limen::api

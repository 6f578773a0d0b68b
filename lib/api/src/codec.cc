#include "limen/api/codec.h"

#include <limits>
#include <string>

namespace limen::api {
namespace codec {

std::string Child(const std::string& path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out = path;
  out += '.';
  out += key;
  return out;
}

std::string Index(const std::string& path, size_t i) {
  return path + "[" + std::to_string(i) + "]";
}

Status TypeError(const std::string& path, std::string_view want, const Json& got) {
  std::string m = path.empty() ? std::string() : path + ": ";
  m += "expected ";
  m += want;
  m += ", got ";
  m += got.is_number_float() ? "number" : got.type_name();
  return Status::InvalidArgument(std::move(m));
}

bool IsZero(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return true;
    case Json::value_t::boolean: return !j.get<bool>();
    case Json::value_t::number_integer: return j.get<int64_t>() == 0;
    case Json::value_t::number_unsigned: return j.get<uint64_t>() == 0;
    case Json::value_t::string: return j.get_ref<const std::string&>().empty();
    case Json::value_t::array:
    case Json::value_t::object: return j.empty();
    default: return false;
  }
}

Status Codec<std::string>::Decode(const Json& j, const std::string& path, std::string& out) {
  if (!j.is_string()) return TypeError(path, "string", j);
  out = j.get<std::string>();
  return Status::Ok();
}

Status Codec<int64_t>::Decode(const Json& j, const std::string& path, int64_t& out) {
  if (!j.is_number_integer()) return TypeError(path, "integer", j);
  if (j.is_number_unsigned() &&
      j.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Status::InvalidArgument((path.empty() ? std::string() : path + ": ") +
                                   "integer out of int64 range");
  }
  out = j.get<int64_t>();
  return Status::Ok();
}

Status Codec<bool>::Decode(const Json& j, const std::string& path, bool& out) {
  if (!j.is_boolean()) return TypeError(path, "boolean", j);
  out = j.get<bool>();
  return Status::Ok();
}

Status Codec<Time>::Decode(const Json& j, const std::string& path, Time& out) {
  if (!j.is_string()) return TypeError(path, "string (RFC 3339 time)", j);
  auto t = ParseTime(j.get_ref<const std::string&>());
  if (!t.ok()) return path.empty() ? t.status() : t.status().WithContext(path);
  out = *t;
  return Status::Ok();
}

}  // namespace codec

StatusOr<Json> ParseJson(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Status::InvalidArgument("malformed JSON");
  return j;
}

}  // namespace limen::api

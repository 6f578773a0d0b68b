// Small JSON spellings of protobuf/Envoy types shared by the builders.
#include <cinttypes>
#include <cstdio>

#include "plan.h"

namespace limen::envoy::internal {

nlohmann::json ProtoDuration(nanoseconds d) {
  // protojson's Duration: seconds with 0, 3, 6 or 9 fractional digits and an "s".
  const int64_t ns = d.count();
  const int64_t secs = ns / 1000000000;
  const int64_t frac = ns % 1000000000;
  char buf[48];
  if (frac == 0) {
    std::snprintf(buf, sizeof buf, "%" PRId64 "s", secs);
  } else if (frac % 1000000 == 0) {
    std::snprintf(buf, sizeof buf, "%" PRId64 ".%03" PRId64 "s", secs, frac / 1000000);
  } else if (frac % 1000 == 0) {
    std::snprintf(buf, sizeof buf, "%" PRId64 ".%06" PRId64 "s", secs, frac / 1000);
  } else {
    std::snprintf(buf, sizeof buf, "%" PRId64 ".%09" PRId64 "s", secs, frac);
  }
  return std::string(buf);
}

nlohmann::json SocketAddress(const std::string& address, int port) {
  return {{"socket_address", {{"address", address}, {"port_value", port}}}};
}

nlohmann::json TypedConfig(const std::string& type, nlohmann::json fields) {
  fields["@type"] = "type.googleapis.com/" + type;
  return fields;
}

}  // namespace limen::envoy::internal

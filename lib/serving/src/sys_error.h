// The text of an errno value, thread-safely (std::strerror may share one buffer).
#pragma once

#include <cstring>
#include <string>

namespace limen::serving {

inline std::string SysError(int err) {
  char buf[256];
  return ::strerror_r(err, buf, sizeof buf);  // GNU variant: returns the message
}

}  // namespace limen::serving

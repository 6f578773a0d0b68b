#include "limen/kube/errors.h"

#include <string>

namespace limen::kube {
namespace {

// The reason the apiserver uses for a code when the body carries none.
std::string DefaultReason(int code) {
  switch (code) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 406: return "NotAcceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "RequestEntityTooLarge";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return code >= 500 ? "InternalError" : "Unknown";
  }
}

}  // namespace

ApiError ApiError::FromResponse(int http_code, const std::string& body,
                                std::optional<std::chrono::seconds> retry_after) {
  ApiError e{http_code, DefaultReason(http_code), "", nullptr, retry_after};
  const auto status = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (status.is_object() && status.value("kind", "") == "Status") {
    if (auto it = status.find("reason"); it != status.end() && it->is_string() && !it->empty()) {
      e.reason = it->get<std::string>();
    }
    if (auto it = status.find("message"); it != status.end() && it->is_string()) {
      e.message = it->get<std::string>();
    }
    if (auto it = status.find("details"); it != status.end()) e.details = *it;
    if (!e.retry_after && e.details.is_object()) {
      if (auto r = e.details.find("retryAfterSeconds");
          r != e.details.end() && r->is_number_integer()) {
        e.retry_after = std::chrono::seconds(r->get<int64_t>());
      }
    }
  } else {
    constexpr size_t kMaxBody = 256;
    e.message = body.size() > kMaxBody ? body.substr(0, kMaxBody) + "..." : body;
  }
  if (e.message.empty()) e.message = "the server responded with HTTP " + std::to_string(http_code);
  return e;
}

std::string ApiError::ToString() const {
  std::string out = code == 0 ? std::string("transport") : std::to_string(code);
  out += ' ';
  out += reason;
  out += ": ";
  out += message;
  return out;
}

Status ApiError::ToStatus() const {
  StatusCode c = StatusCode::kInternal;
  if (code == 0) {
    c = reason == "Cancelled" ? StatusCode::kCancelled
        : reason == "Timeout" ? StatusCode::kDeadlineExceeded
                              : StatusCode::kUnavailable;
  } else if (IsNotFound()) {
    c = StatusCode::kNotFound;
  } else if (IsAlreadyExists()) {
    c = StatusCode::kAlreadyExists;
  } else if (code == 409) {
    c = StatusCode::kConflict;
  } else if (code == 400 || code == 422 || code == 413 || code == 415) {
    c = StatusCode::kInvalidArgument;
  } else if (code == 401) {
    c = StatusCode::kUnauthenticated;
  } else if (code == 403) {
    c = StatusCode::kPermissionDenied;
  } else if (code == 410) {
    c = StatusCode::kFailedPrecondition;
  } else if (code == 429) {
    c = StatusCode::kResourceExhausted;
  } else if (code == 504) {
    c = StatusCode::kDeadlineExceeded;
  } else if (code >= 500) {
    c = StatusCode::kUnavailable;
  }
  return Status(c, ToString());
}

}  // namespace limen::kube

// ApiError and ApiResult<T>: how every lib/kube call reports failure.
//
// An ApiError is the apiserver's `Status` object decoded (code, reason, message, details),
// or — with code 0 — a failure below HTTP (connection refused, TLS, timeout, a body that
// is not JSON). No cpprestsdk/pplx exception escapes lib/kube; each is converted into an
// ApiError at the client boundary. Plain values, safe to copy across threads.
#pragma once

#include <cassert>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <nlohmann/json.hpp>

#include "limen/base/status.h"

namespace limen::kube {

// Transport failure before the server could have seen the request (no connection, or the
// request was not written completely): safe to retry for every verb.
inline constexpr std::string_view kReasonRequestNotSent = "RequestNotSent";

struct ApiError {
  int code = 0;        // HTTP status; 0 = transport failure (no response)
  std::string reason;  // metav1.StatusReason: NotFound, AlreadyExists, Conflict, Expired,
                       // Gone, TooManyRequests, Invalid, Forbidden, ...; for code 0:
                       // ConnectionError, RequestNotSent, Timeout, DecodeError, Cancelled
  std::string message;
  nlohmann::json details;  // Status.details as sent (name, kind, causes, retryAfterSeconds)
  std::optional<std::chrono::seconds> retry_after;  // Retry-After header, if any

  // Decodes a non-2xx response: the body is normally a metav1.Status; anything else becomes
  // an error carrying the HTTP code and the first bytes of the body.
  static ApiError FromResponse(int http_code, const std::string& body,
                               std::optional<std::chrono::seconds> retry_after = std::nullopt);
  static ApiError Transport(std::string reason, std::string message) {
    return ApiError{0, std::move(reason), std::move(message), nullptr, std::nullopt};
  }

  bool IsNotFound() const { return code == 404; }
  bool IsAlreadyExists() const { return code == 409 && reason == "AlreadyExists"; }
  bool IsConflict() const { return code == 409 && reason != "AlreadyExists"; }
  // 410 Gone, or an "Expired" status ("too old resource version") inside a watch stream.
  bool IsResourceExpired() const { return code == 410 || reason == "Expired" || reason == "Gone"; }
  bool IsTooManyRequests() const { return code == 429; }
  bool IsInvalid() const { return code == 422; }
  bool IsForbidden() const { return code == 403; }
  // 429, 5xx and transport failures: retrying the same request may succeed.
  bool IsRetriable() const {
    return code == 0 ? reason != "Cancelled" : (code == 429 || code >= 500);
  }

  // "409 Conflict: Operation cannot be fulfilled on leases ..." — for logs and Status.
  std::string ToString() const;
  // Maps onto limen::Status (404 → NotFound, 409 → AlreadyExists/Conflict, 422 →
  // InvalidArgument, 429 → ResourceExhausted, 5xx/transport → Unavailable, ...).
  Status ToStatus() const;
};

// Either a T or an ApiError. Must be used.
template <typename T>
class [[nodiscard]] ApiResult {
 public:
  ApiResult(T value) : v_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  ApiResult(ApiError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(v_); }
  // REQUIRES: !ok().
  const ApiError& error() const { return std::get<ApiError>(v_); }
  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, ApiError> v_;
};

// For calls with no value on success.
struct Empty {};

}  // namespace limen::kube

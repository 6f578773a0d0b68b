// Status and StatusOr<T>: the error vocabulary of every Limen module.
//
// A Status is a small value: a code and a human message that names what is wrong. Errors
// the environment can cause (network, bad API data, bad user input) travel as Status values;
// exceptions from third-party libraries are converted at the boundary that calls them.
// Both types are [[nodiscard]] so an ignored error is a compile warning.
//
// Thread-safety: plain values; safe to copy across threads.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace limen {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // the caller's input is malformed (names what and where)
  kNotFound,
  kAlreadyExists,
  kConflict,  // precondition such as resourceVersion failed
  kFailedPrecondition,
  kUnavailable,  // transient: retry may succeed
  kDeadlineExceeded,
  kPermissionDenied,
  kUnauthenticated,
  kResourceExhausted,  // rate limited / quota
  kCancelled,
  kUnimplemented,
  kInternal,  // a bug or an impossible state reported rather than crashing
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status DeadlineExceeded(std::string m) {
    return {StatusCode::kDeadlineExceeded, std::move(m)};
  }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status Unauthenticated(std::string m) {
    return {StatusCode::kUnauthenticated, std::move(m)};
  }
  static Status ResourceExhausted(std::string m) {
    return {StatusCode::kResourceExhausted, std::move(m)};
  }
  static Status Cancelled(std::string m) { return {StatusCode::kCancelled, std::move(m)}; }
  static Status Unimplemented(std::string m) { return {StatusCode::kUnimplemented, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "NotFound: configmaps \"x\" not found"; "OK" for success.
  std::string ToString() const;

  // Returns a copy whose message is "context: message" — for adding where an error happened.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status&, const Status&) = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Holds either a T or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "StatusOr constructed from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }

  // REQUIRES: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const& { return ok() ? value() : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace limen

// Propagates a non-OK Status from an expression returning Status.
#define LIMEN_RETURN_IF_ERROR(expr)                \
  do {                                             \
    ::limen::Status limen_status_ = (expr);        \
    if (!limen_status_.ok()) return limen_status_; \
  } while (false)

#define LIMEN_CONCAT_INNER_(a, b) a##b
#define LIMEN_CONCAT_(a, b) LIMEN_CONCAT_INNER_(a, b)
// `LIMEN_ASSIGN_OR_RETURN(auto x, Foo());` — binds the value or returns the error.
#define LIMEN_ASSIGN_OR_RETURN(lhs, expr) \
  LIMEN_ASSIGN_OR_RETURN_IMPL_(LIMEN_CONCAT_(limen_statusor_, __LINE__), lhs, expr)
// NOLINTBEGIN(bugprone-macro-parentheses): lhs is a declaration, tmp a generated name.
#define LIMEN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
// NOLINTEND(bugprone-macro-parentheses)

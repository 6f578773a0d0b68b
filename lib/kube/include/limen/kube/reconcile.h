// The reconcile contract (controller-runtime's pkg/reconcile/reconcile.go), level-based:
// Reconcile(key) is told only *which* object to look at, reads the current state (from an
// informer's Store), and drives the world towards it. It must be idempotent.
//
// It returns an Outcome:
//   Result{}                              done; the key's failure count is reset
//   Result{.requeue_after = d}            done for now; look again after d
//   Result{.requeue = true}               look again soon, rate-limited
//   a non-OK Status (an error)            retried with the rate limiter's back-off
//   TerminalError(status)                 logged and counted, never retried (e.g. the
//                                         spec is invalid: retrying cannot help)
// An exception escaping Reconcile is caught by the Controller and treated as an error.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <variant>

#include "limen/base/status.h"

namespace limen::kube {

struct Result {
  std::chrono::nanoseconds requeue_after{0};  // > 0: requeue after this delay
  bool requeue = false;                       // requeue with rate limiting
};

class [[nodiscard]] Outcome {
 public:
  Outcome(Result result) : v_(result) {}  // NOLINT(google-explicit-constructor)
  // REQUIRES: !error.ok().
  Outcome(Status error)
      : v_(Error{std::move(error), false}) {}  // NOLINT(google-explicit-constructor)

  friend Outcome TerminalError(Status error);

  bool ok() const { return std::holds_alternative<Result>(v_); }
  bool terminal() const { return !ok() && std::get<Error>(v_).terminal; }
  // REQUIRES: ok().
  const Result& result() const { return std::get<Result>(v_); }
  // REQUIRES: !ok().
  const Status& error() const { return std::get<Error>(v_).status; }

 private:
  struct Error {
    Status status;
    bool terminal;
  };
  explicit Outcome(Error e) : v_(std::move(e)) {}
  std::variant<Result, Error> v_;
};

// An error that retrying cannot fix: the key is forgotten, not requeued.
inline Outcome TerminalError(Status error) {
  return Outcome(Outcome::Error{std::move(error), true});
}

class Reconciler {
 public:
  virtual ~Reconciler() = default;
  // `key` is "namespace/name" (or "name" for cluster-scoped objects). Called from the
  // Controller's worker threads; never for the same key concurrently.
  virtual Outcome Reconcile(const std::string& key) = 0;
};

// Splits "namespace/name" → {"namespace", "name"}; "name" → {"", "name"}.
std::pair<std::string, std::string> SplitKey(const std::string& key);

}  // namespace limen::kube

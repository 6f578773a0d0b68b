// HealthChecks: the named checks behind /livez, /healthz and /readyz, in the apiserver's
// format ("[+]informers-synced ok" lines with ?verbose, a 200 "ok" or a 500 naming the
// failed checks).
//
// Liveness checks answer "should this process be restarted?" (a dead loop); readiness
// checks answer "should it receive traffic / is it caught up?" (caches synced, certificate
// loaded). /healthz reports liveness (the Kubernetes convention for probes). A check is a
// function returning Status; it must be fast and must not block on the network.
//
// Thread-safety: Add() before serving; Evaluate() from any thread.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "limen/base/status.h"
#include "limen/serving/http_server.h"

namespace limen::serving {

class HealthChecks {
 public:
  enum class Kind { kLiveness, kReadiness };
  using Check = std::function<Status()>;

  void Add(Kind kind, std::string name, Check check);

  // The HTTP answer for /livez (kLiveness) or /readyz (kReadiness; includes liveness).
  Response Evaluate(Kind kind, bool verbose) const;

 private:
  struct Named {
    Kind kind;
    std::string name;
    Check check;
  };
  std::vector<Named> checks_;
};

}  // namespace limen::serving

// HttpEndpoint: /metrics, /healthz and /readyz of the node agent on a configurable address
// ("127.0.0.1:9464"; port 0 picks a free port, reported by port()).
//
// It is civetweb — the server inside prometheus::Exposer — used directly, because Exposer
// serves only collectables and the agent also needs plain health endpoints on the same
// port. /metrics is prometheus-cpp's TextSerializer over the collectables.
//
// Thread-safety: Start/Stop from one thread; handlers run on civetweb's worker threads, so
// collectables and the readiness check must be thread-safe.
#pragma once

#include <prometheus/collectable.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "limen/base/status.h"

namespace limen::bpf {

class HttpEndpoint {
 public:
  using ReadyCheck = std::function<Status()>;

  HttpEndpoint(std::vector<std::shared_ptr<prometheus::Collectable>> collectables,
               ReadyCheck ready);
  ~HttpEndpoint();
  HttpEndpoint(const HttpEndpoint&) = delete;
  HttpEndpoint& operator=(const HttpEndpoint&) = delete;

  // `address` is host:port. A port in use or a bad address is an error, not an exception.
  Status Start(const std::string& address);
  void Stop();
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace limen::bpf

// HttpServer: the small HTTP(S) server every Limen binary uses for /metrics, /healthz,
// /readyz, and its own endpoints (admission webhooks, the dashboard API).
//
// Routes are exact paths mapped to handlers that are plain functions Request → Response, so
// handlers are unit-testable without a socket. The implementation — HTTP/1.1 with keep-alive
// over plain TCP or TLS ≥ 1.2 (OpenSSL), one thread per connection that parses, dispatches
// and answers without handing the request to another thread — stays behind a pimpl.
// Malformed or unroutable requests get a 4xx with a message; a handler that throws gets a
// 500 and the exception is logged — never propagated into the server. A TLS certificate
// changed on disk is served from the next connection on (hot reload, no dropped requests).
//
// Thread-safety: Route() only before Start(); handlers run concurrently on the connections'
// threads and must be thread-safe. Start/Stop from one thread. Start() ignores SIGPIPE for
// the process (a peer that went away must not kill it).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "limen/base/status.h"

namespace limen::serving {

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string path;    // decoded path, no query
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::map<std::string, std::string> headers;
  // Run on the connection's thread once the response has been written (or the write failed)
  // and the response, body included, freed: work that should see the body's memory free,
  // such as limen::ReleaseFreeHeap after a /metrics scrape of a megabyte.
  std::function<void()> after_sent;

  static Response Text(int status, std::string body);
  static Response Json(int status, std::string body);
};

using Handler = std::function<Response(const Request&)>;

struct TlsFiles {
  std::string cert_file;  // PEM chain
  std::string key_file;   // PEM private key
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;                                // 0: any free port (see Port())
  std::optional<TlsFiles> tls;                      // HTTPS (TLS ≥ 1.2) when set
  size_t max_body_bytes = size_t{4} * 1024 * 1024;  // larger requests get 413
  size_t max_connections = 1024;                    // more are closed at once
  // How many handlers may run at once (0: no limit, each on its connection's thread). When
  // set, that many threads run every handler and the other connections' requests wait in
  // arrival order, read and parsed. A handler's transient memory (a decoded JSON document,
  // say) is then bounded by this many requests instead of by the connections in flight,
  // and allocated and freed by these threads only, from malloc's per-thread caches; with
  // about as many threads as CPUs, no throughput is lost.
  size_t max_concurrent_handlers = 0;
};

class HttpServer {
 public:
  explicit HttpServer(HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Registers `handler` for exactly `path` and `method` ("GET", "POST", ...).
  void Route(const std::string& method, const std::string& path, Handler handler);

  // Dispatches a request as the listener would (routing, 404/405/413, exception → 500).
  // Public so tests and benchmarks exercise the full request path without a socket.
  Response Dispatch(const Request& request) const;

  // Opens the listener. Errors (port in use, bad certificate) are returned, not thrown.
  Status Start();
  // Stops accepting, lets requests in progress finish, closes idle connections; returns
  // when every connection's thread has ended.
  void Stop();
  // Connections accepted and not yet closed (each has its thread).
  size_t OpenConnections() const;
  // Replaces the handler threads (max_concurrent_handlers) with new ones, so that what their
  // malloc caches held goes back to the heap; call it before limen::ReleaseFreeHeap after
  // a burst. Requests keep being served. Does nothing without handler threads.
  void RenewHandlerThreads();
  uint16_t Port() const;    // the bound port once started (options.port before)
  std::string Url() const;  // http(s)://host:port

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace limen::serving

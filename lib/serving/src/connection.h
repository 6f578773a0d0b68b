// One accepted connection: its transport (plain TCP or TLS) and the HTTP/1.1 keep-alive loop
// that reads requests, dispatches them and writes the answers, on the connection's own
// thread. Handing requests to no other thread keeps an admission's latency at parse +
// handler + write, with nothing queued in between.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string_view>

#include "http_wire.h"
#include "limen/serving/http_server.h"
#include "tls_context.h"

namespace limen::serving {

class Transport {
 public:
  virtual ~Transport() = default;
  // Up to `n` bytes into `buf`; 0 when the peer closed (or the server is stopping), -1 on an
  // error or a read timeout.
  virtual ssize_t Read(char* buf, size_t n) = 0;
  virtual bool Write(std::string_view bytes) = 0;
  // Bytes already received and decrypted that poll() on the socket would not report.
  virtual bool HasBuffered() const = 0;
  virtual int fd() const = 0;
};

// A transport over the accepted socket `fd` (not owned). For TLS the handshake runs here;
// nullptr (with the reason logged at debug) if it fails.
std::unique_ptr<Transport> PlainTransport(int fd);
std::unique_ptr<Transport> TlsTransport(int fd, const SslCtxPtr& ctx);

struct ConnectionLimits {
  wire::Limits wire;
  std::chrono::milliseconds idle_timeout{90'000};  // keep-alive wait for the next request
  std::chrono::milliseconds read_timeout{15'000};  // between bytes of one request
};

// Serves requests on `transport` until the peer closes, a request asks to close, an error,
// or a timeout. Sets the socket's read timeout itself.
void ServeConnection(Transport& transport, const HttpServer& server,
                     const ConnectionLimits& limits);

}  // namespace limen::serving

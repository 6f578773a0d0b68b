#include "connection.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <string>

namespace limen::serving {
namespace {

class Plain final : public Transport {
 public:
  explicit Plain(int fd) : fd_(fd) {}
  ssize_t Read(char* buf, size_t n) override {
    for (;;) {
      const ssize_t got = ::recv(fd_, buf, n, 0);
      if (got >= 0 || errno != EINTR) return got;
    }
  }
  bool Write(std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (sent < 0 && errno == EINTR) continue;
      if (sent <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }
  bool HasBuffered() const override { return false; }
  int fd() const override { return fd_; }

 private:
  int fd_;
};

class Tls final : public Transport {
 public:
  Tls(int fd, SSL* ssl) : fd_(fd), ssl_(ssl) {}
  ~Tls() override {
    // close_notify, best effort: the peer may be gone (SIGPIPE is ignored by the server).
    if (SSL_is_init_finished(ssl_) != 0) SSL_shutdown(ssl_);
    SSL_free(ssl_);
    ERR_clear_error();
  }
  ssize_t Read(char* buf, size_t n) override {
    const int got = SSL_read(ssl_, buf, static_cast<int>(std::min<size_t>(n, 1 << 30)));
    if (got > 0) return got;
    const int err = SSL_get_error(ssl_, got);
    ERR_clear_error();
    return err == SSL_ERROR_ZERO_RETURN ? 0 : -1;
  }
  bool Write(std::string_view bytes) override {
    while (!bytes.empty()) {
      const int sent =
          SSL_write(ssl_, bytes.data(), static_cast<int>(std::min<size_t>(bytes.size(), 1 << 30)));
      if (sent <= 0) {
        ERR_clear_error();
        return false;
      }
      bytes.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }
  bool HasBuffered() const override { return SSL_pending(ssl_) > 0; }
  int fd() const override { return fd_; }

 private:
  int fd_;
  SSL* ssl_;
};

void SetReadTimeout(int fd, std::chrono::milliseconds t) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(t.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((t.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// Waits until the next request starts arriving; false on timeout, close or error.
bool WaitReadable(const Transport& t, std::chrono::milliseconds timeout) {
  if (t.HasBuffered()) return true;
  pollfd p{t.fd(), POLLIN, 0};
  for (;;) {
    const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n < 0 && errno == EINTR) continue;
    return n > 0;
  }
}

// Appends what the transport has to `buf`; false when the connection is done. Reads into
// `buf` itself rather than through a chunk on the stack: a 16 KiB stack buffer stays
// resident in every connection thread's stack, while `buf`'s heap memory is given back
// between requests (ServeConnection). At most `want` bytes: for a body's rest, so that
// `buf` needs no more than what ReadBody reserved.
bool ReadMore(Transport& t, std::string& buf, size_t want = size_t{16} * 1024) {
  const size_t old = buf.size();
  buf.resize(old + want);
  const ssize_t n = t.Read(buf.data() + old, want);
  buf.resize(old + static_cast<size_t>(std::max<ssize_t>(n, 0)));
  return n > 0;
}

// Writes `response`. A small body goes out in one write with its head; a large one (a
// /metrics scrape of a megabyte) is written from the handler's own buffer instead of being
// copied behind the head first.
bool WriteResponse(Transport& t, const Response& response, bool keep_alive) {
  constexpr size_t kCopyAtMost = size_t{16} * 1024;
  std::string head = wire::RenderHead(response, keep_alive);
  if (response.body.size() <= kCopyAtMost) {
    head += response.body;
    return t.Write(head);
  }
  return t.Write(head) && t.Write(response.body);
}

// Answers a refused request and closes gracefully: the unread rest of the request is drained
// (for at most 2 s and 16 MiB) after our half-close, because closing with unread bytes
// would reset the connection and could destroy the answer before the client read it.
void Refuse(Transport& t, const wire::Error& e) {
  if (!t.Write(wire::RenderResponse(Response::Text(e.status, e.message + "\n"), false))) return;
  ::shutdown(t.fd(), SHUT_WR);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  char sink[16 * 1024];
  for (size_t drained = 0; drained < 16u << 20;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{t.fd(), POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return;
    const ssize_t n = ::recv(t.fd(), sink, sizeof sink, 0);
    if (n <= 0) return;
    drained += static_cast<size_t>(n);
  }
}

// Reads the body the head announced; the request's bytes are then removed from `buf`
// (what follows belongs to the next, pipelined request). False when the connection is done.
bool ReadBody(Transport& t, const wire::Head& head, std::string& buf, const ConnectionLimits& l,
              std::string& body) {
  if (head.expect_continue && (head.chunked || head.content_length > 0) &&
      buf.size() == head.head_bytes && !t.Write(wire::ContinueLine())) {
    return false;
  }
  if (!head.chunked) {
    const size_t need = head.head_bytes + head.content_length;
    if (buf.capacity() < need) buf.reserve(need);
    while (buf.size() < need) {
      if (!ReadMore(t, buf, need - buf.size())) return false;
    }
    body.assign(buf, head.head_bytes, head.content_length);
    buf.erase(0, need);
    return true;
  }
  for (;;) {
    auto r =
        wire::DecodeChunked(std::string_view(buf).substr(head.head_bytes), l.wire.max_body_bytes);
    if (auto* done = std::get_if<wire::Chunked>(&r)) {
      body = std::move(done->body);
      buf.erase(0, head.head_bytes + done->consumed);
      return true;
    }
    if (auto* err = std::get_if<wire::Error>(&r)) {
      Refuse(t, *err);
      return false;
    }
    if (!ReadMore(t, buf)) return false;
  }
}

}  // namespace

std::unique_ptr<Transport> PlainTransport(int fd) { return std::make_unique<Plain>(fd); }

std::unique_ptr<Transport> TlsTransport(int fd, const SslCtxPtr& ctx) {
  SSL* ssl = SSL_new(ctx.get());
  if (ssl == nullptr || SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    ERR_clear_error();
    return nullptr;
  }
  auto t = std::make_unique<Tls>(fd, ssl);
  if (SSL_accept(ssl) != 1) {
    const char* reason = ERR_reason_error_string(ERR_peek_error());
    spdlog::debug("TLS handshake failed: {}", reason != nullptr ? reason : "connection closed");
    return nullptr;
  }
  return t;
}

void ServeConnection(Transport& t, const HttpServer& server, const ConnectionLimits& limits) {
  SetReadTimeout(t.fd(), limits.read_timeout);
  const int one = 1;
  ::setsockopt(t.fd(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  std::string buf;
  for (;;) {
    if (buf.empty() && !WaitReadable(t, limits.idle_timeout)) return;
    wire::HeadResult parsed = wire::ParseHead(buf, limits.wire);
    while (std::holds_alternative<wire::Incomplete>(parsed)) {
      if (!ReadMore(t, buf)) return;
      parsed = wire::ParseHead(buf, limits.wire);
    }
    if (auto* err = std::get_if<wire::Error>(&parsed)) {
      Refuse(t, *err);
      return;
    }
    auto& head = std::get<wire::Head>(parsed);
    if (!ReadBody(t, head, buf, limits, head.request.body)) return;
    bool written = false;
    std::function<void()> after;
    {
      Response response = server.Dispatch(head.request);
      written = WriteResponse(t, response, head.keep_alive);
      after = std::move(response.after_sent);
    }  // The response is destroyed here, before `after` runs. (Assigning an empty Response
       // would not do: libstdc++'s string keeps its buffer when assigned a short string.)
    if (after) after();
    if (!written || !head.keep_alive) return;
    // Between requests an idle keep-alive connection holds no buffer (as OpenSSL's
    // SSL_MODE_RELEASE_BUFFERS does for its own), rather than the largest request it saw.
    if (buf.empty()) std::string().swap(buf);
  }
}

}  // namespace limen::serving

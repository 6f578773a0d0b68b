#include "limen/serving/http_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

#include "connection.h"
#include "handler_pool.h"
#include "sys_error.h"
#include "tls_context.h"

namespace limen::serving {

Response Response::Text(int status, std::string body) {
  return Response{status, "text/plain; charset=utf-8", std::move(body), {}, {}};
}

Response Response::Json(int status, std::string body) {
  return Response{status, "application/json", std::move(body), {}, {}};
}

struct HttpServer::Impl {
  HttpServerOptions options;
  // path → method → handler
  std::map<std::string, std::map<std::string, Handler>> routes;
  std::unique_ptr<TlsContext> tls;
  // Runs the handlers: on options.max_concurrent_handlers threads, or on each connection's
  // own thread when that is 0.
  std::unique_ptr<HandlerPool> handlers;

  int listen_fd = -1;
  uint16_t bound_port = 0;
  std::thread acceptor;

  std::mutex mu;
  std::condition_variable idle;  // signalled when a connection ends
  std::set<int> connections;     // guarded by mu: the sockets of live connection threads
  bool stopping = false;         // guarded by mu

  void AcceptLoop(const HttpServer& server);
  void Serve(const HttpServer& server, int fd);
};

HttpServer::HttpServer(HttpServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handlers = std::make_unique<HandlerPool>(impl_->options.max_concurrent_handlers);
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Route(const std::string& method, const std::string& path, Handler handler) {
  impl_->routes[path][method] = std::move(handler);
}

Response HttpServer::Dispatch(const Request& request) const {
  auto by_path = impl_->routes.find(request.path);
  if (by_path == impl_->routes.end()) {
    return Response::Text(404, "no route for " + request.path + "\n");
  }
  auto handler = by_path->second.find(request.method);
  if (handler == by_path->second.end()) {
    std::string allowed;
    for (const auto& [method, unused] : by_path->second)
      allowed += (allowed.empty() ? "" : ", ") + method;
    Response r = Response::Text(405, request.method + " is not allowed on " + request.path + "\n");
    r.headers["Allow"] = allowed;
    return r;
  }
  if (request.body.size() > impl_->options.max_body_bytes) {
    return Response::Text(413, "request body of " + std::to_string(request.body.size()) +
                                   " bytes exceeds the limit of " +
                                   std::to_string(impl_->options.max_body_bytes) + "\n");
  }
  const Handler& handle = handler->second;
  Response response;
  bool answered = false;
  impl_->handlers->Run([&] {
    try {
      response = handle(request);
      answered = true;
    } catch (const std::exception& e) {
      spdlog::error("handler for {} {} threw: {}", request.method, request.path, e.what());
    } catch (...) {
      spdlog::error("handler for {} {} threw a non-standard exception", request.method,
                    request.path);
    }
  });
  if (answered) return response;
  return Response::Text(500, "internal error\n");
}

namespace {

// A listening socket on host:port (port 0: any), or an error naming the address.
StatusOr<int> Listen(const std::string& host, uint16_t port) {
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc =
          ::getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found);
      rc != 0) {
    return Status::InvalidArgument("listen on " + where + ": " + ::gai_strerror(rc));
  }
  std::string error = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, a->ai_addr, a->ai_addrlen) == 0 && ::listen(fd, 1024) == 0) {
      ::freeaddrinfo(found);
      return fd;
    }
    error = SysError(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return Status::Unavailable("listen on " + where + ": " + error);
}

uint16_t LocalPort(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return 0;
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

}  // namespace

void HttpServer::Impl::Serve(const HttpServer& server, int fd) {
  ConnectionLimits limits;
  limits.wire.max_body_bytes = options.max_body_bytes;
  std::unique_ptr<Transport> transport;
  if (tls) {
    ::timeval tv{};  // bounds the handshake too
    tv.tv_sec = static_cast<time_t>(limits.read_timeout.count() / 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    transport = TlsTransport(fd, tls->Current());
  } else {
    transport = PlainTransport(fd);
  }
  if (transport) ServeConnection(*transport, server, limits);
  transport.reset();
  std::lock_guard lock(mu);
  connections.erase(fd);
  ::close(fd);
  idle.notify_all();
}

void HttpServer::Impl::AcceptLoop(const HttpServer& server) {
  for (;;) {
    const int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      std::lock_guard lock(mu);
      if (stopping) return;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        spdlog::warn("accept on port {}: {}; retrying", bound_port, SysError(errno));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        continue;
      }
      spdlog::error("accept on port {}: {}; no longer accepting", bound_port, SysError(errno));
      return;
    }
    std::lock_guard lock(mu);
    if (stopping || connections.size() >= options.max_connections) {
      if (!stopping) spdlog::warn("{} connections open: refusing one more", connections.size());
      ::close(fd);
      continue;
    }
    connections.insert(fd);
    // Detached: Stop() waits on `connections` becoming empty instead of joining.
    std::thread([this, &server, fd] { Serve(server, fd); }).detach();
  }
}

Status HttpServer::Start() {
  if (impl_->listen_fd >= 0) return Status::FailedPrecondition("server already started");
  const auto& o = impl_->options;
  if (o.tls) {
    // Fail fast on unreadable or mismatched files rather than on the first handshake.
    auto tls = TlsContext::Load(*o.tls);
    if (!tls.ok()) return tls.status();
    impl_->tls = std::move(*tls);
  }
  auto fd = Listen(o.host, o.port);
  if (!fd.ok()) return fd.status();
  // A peer that disconnects while we write must not end the process: OpenSSL writes to its
  // socket with write(2), which raises SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  impl_->listen_fd = *fd;
  impl_->bound_port = LocalPort(*fd);
  {
    std::lock_guard lock(impl_->mu);
    impl_->stopping = false;
  }
  impl_->acceptor = std::thread([this] { impl_->AcceptLoop(*this); });
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_ || impl_->listen_fd < 0) return;
  std::unique_lock lock(impl_->mu);
  impl_->stopping = true;
  // Wakes accept() (EINVAL on a shut-down listening socket).
  ::shutdown(impl_->listen_fd, SHUT_RDWR);
  lock.unlock();
  impl_->acceptor.join();
  ::close(impl_->listen_fd);
  impl_->listen_fd = -1;
  lock.lock();
  // Idle connections see end-of-file at once; a request being handled still gets its answer
  // (only the read side is shut), then its connection closes.
  for (int fd : impl_->connections) ::shutdown(fd, SHUT_RD);
  if (!impl_->idle.wait_for(lock, std::chrono::seconds(10),
                            [this] { return impl_->connections.empty(); })) {
    spdlog::warn("{} connections still busy after 10 s; closing them", impl_->connections.size());
    for (int fd : impl_->connections) ::shutdown(fd, SHUT_RDWR);
    impl_->idle.wait(lock, [this] { return impl_->connections.empty(); });
  }
}

size_t HttpServer::OpenConnections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->connections.size();
}

void HttpServer::RenewHandlerThreads() { impl_->handlers->Renew(); }

uint16_t HttpServer::Port() const {
  return impl_->listen_fd >= 0 ? impl_->bound_port : impl_->options.port;
}

std::string HttpServer::Url() const {
  const auto& o = impl_->options;
  const bool v6 = o.host.find(':') != std::string::npos;
  return std::string(o.tls ? "https" : "http") + "://" + (v6 ? "[" + o.host + "]" : o.host) + ":" +
         std::to_string(Port());
}

}  // namespace limen::serving

#include "limen/serving/http_server.h"

#include <cpprest/http_listener.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ssl.hpp>
#include <cctype>
#include <exception>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <utility>

namespace limen::serving {

namespace http = web::http;

Response Response::Text(int status, std::string body) {
  return Response{status, "text/plain; charset=utf-8", std::move(body), {}};
}

Response Response::Json(int status, std::string body) {
  return Response{status, "application/json", std::move(body), {}};
}

struct HttpServer::Impl {
  HttpServerOptions options;
  // path → method → handler
  std::map<std::string, std::map<std::string, Handler>> routes;
  std::unique_ptr<http::experimental::listener::http_listener> listener;
};

HttpServer::HttpServer(HttpServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
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
  try {
    return handler->second(request);
  } catch (const std::exception& e) {
    spdlog::error("handler for {} {} threw: {}", request.method, request.path, e.what());
  } catch (...) {
    spdlog::error("handler for {} {} threw a non-standard exception", request.method, request.path);
  }
  return Response::Text(500, "internal error\n");
}

namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Converts cpprest's request line and headers into ours; the body is added by the caller.
Request ToRequestHead(const http::http_request& in) {
  Request out;
  out.method = in.method();
  out.path = web::uri::decode(in.relative_uri().path());
  for (const auto& [k, v] : web::uri::split_query(in.relative_uri().query())) {
    out.query[web::uri::decode(k)] = web::uri::decode(v);
  }
  for (const auto& [k, v] : in.headers()) out.headers[Lower(k)] = v;
  return out;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Status ConfigureTls(boost::asio::ssl::context& ctx, const TlsFiles& tls) {
  try {
    ctx.set_options(boost::asio::ssl::context::default_workarounds |
                    boost::asio::ssl::context::no_sslv2 | boost::asio::ssl::context::no_sslv3 |
                    boost::asio::ssl::context::no_tlsv1 | boost::asio::ssl::context::no_tlsv1_1);
    // Each file is read once, into memory: opening a file twice while it is being replaced
    // can pair the old chain with the new key (a failed handshake). A caller that rotates
    // certificates publishes one combined PEM (cert_file == key_file) atomically, and one
    // read then always yields a consistent pair.
    const std::string cert = ReadWholeFile(tls.cert_file);
    const std::string key = tls.key_file == tls.cert_file ? cert : ReadWholeFile(tls.key_file);
    ctx.use_certificate_chain(boost::asio::buffer(cert));
    ctx.use_private_key(boost::asio::buffer(key), boost::asio::ssl::context::pem);
  } catch (const std::exception& e) {
    return Status::InvalidArgument("TLS certificate " + tls.cert_file + " / key " + tls.key_file +
                                   ": " + e.what());
  }
  return Status::Ok();
}

void Reply(const http::http_request& in, const Response& r) {
  http::http_response out(static_cast<http::status_code>(r.status));
  for (const auto& [k, v] : r.headers) out.headers().add(k, v);
  out.set_body(r.body, r.content_type);
  in.reply(out).then([](pplx::task<void> t) {
    try {
      t.get();
    } catch (const std::exception& e) {
      spdlog::debug("reply failed (client went away?): {}", e.what());
    }
  });
}

// Never blocks a cpprest pool thread: the body is awaited through a continuation. (A
// blocking .get() here deadlocked the server once as many requests as pool threads were
// waiting for bodies that only a free pool thread could read.)
void Handle(const HttpServer& server, size_t max_body, http::http_request request) {
  Request head;
  try {
    head = ToRequestHead(request);
  } catch (const std::exception& e) {
    Reply(request, Response::Text(400, std::string("malformed request: ") + e.what() + "\n"));
    return;
  }
  if (request.headers().content_length() > max_body) {
    head.body.resize(max_body + 1);  // Dispatch answers 413 without reading it
    Reply(request, server.Dispatch(head));
    return;
  }
  request.extract_utf8string(true).then(
      [&server, request, head = std::move(head)](pplx::task<std::string> body) mutable {
        Response r;
        try {
          head.body = body.get();
          r = server.Dispatch(head);
        } catch (const std::exception& e) {
          r = Response::Text(400, std::string("malformed request: ") + e.what() + "\n");
        }
        Reply(request, r);
      });
}

}  // namespace

Status HttpServer::Start() {
  if (impl_->listener) return Status::FailedPrecondition("server already started");
  const auto& o = impl_->options;
  if (o.port == 0) return Status::InvalidArgument("HttpServer needs a concrete port");
  http::experimental::listener::http_listener_config config;
  if (o.tls) {
    // Fail fast on unreadable or mismatched files rather than on the first handshake.
    boost::asio::ssl::context probe(boost::asio::ssl::context::tls_server);
    if (Status s = ConfigureTls(probe, *o.tls); !s.ok()) return s;
    // cpprest calls this for every new connection, so a rotated certificate on disk is
    // picked up by the next connection without a restart (hot reload for free).
    config.set_ssl_context_callback([tls = *o.tls](boost::asio::ssl::context& ctx) {
      if (Status s = ConfigureTls(ctx, tls); !s.ok()) spdlog::error("{}", s.message());
    });
  }
  try {
    auto listener = std::make_unique<http::experimental::listener::http_listener>(Url(), config);
    listener->support([this](http::http_request request) {
      Handle(*this, impl_->options.max_body_bytes, std::move(request));
    });
    listener->open().wait();
    impl_->listener = std::move(listener);
  } catch (const std::exception& e) {
    return Status::Unavailable("listen on " + Url() + ": " + e.what());
  }
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_ || !impl_->listener) return;
  try {
    impl_->listener->close().wait();
  } catch (const std::exception& e) {
    spdlog::warn("closing {}: {}", Url(), e.what());
  }
  impl_->listener.reset();
}

std::string HttpServer::Url() const {
  const auto& o = impl_->options;
  return std::string(o.tls ? "https" : "http") + "://" + o.host + ":" + std::to_string(o.port);
}

}  // namespace limen::serving

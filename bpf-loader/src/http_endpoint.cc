#include "limen/bpf/http_endpoint.h"

#include <CivetServer.h>
#include <civetweb.h>
#include <prometheus/text_serializer.h>

#include <sstream>

namespace limen::bpf {
namespace {

void Reply(mg_connection* conn, int status, const std::string& type, const std::string& body) {
  mg_printf(
      conn,
      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
      status, mg_get_response_code_text(conn, status), type.c_str(), body.size());
  mg_write(conn, body.data(), body.size());
}

class MetricsHandler : public CivetHandler {
 public:
  explicit MetricsHandler(std::vector<std::shared_ptr<prometheus::Collectable>> c)
      : collectables_(std::move(c)) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    std::vector<prometheus::MetricFamily> families;
    for (const auto& c : collectables_) {
      auto f = c->Collect();
      families.insert(families.end(), std::make_move_iterator(f.begin()),
                      std::make_move_iterator(f.end()));
    }
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, families);
    Reply(conn, 200, "text/plain; version=0.0.4; charset=utf-8", out.str());
    return true;
  }

 private:
  std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
};

class CheckHandler : public CivetHandler {
 public:
  explicit CheckHandler(HttpEndpoint::ReadyCheck check) : check_(std::move(check)) {}
  bool handleGet(CivetServer*, mg_connection* conn) override {
    Status s = check_ ? check_() : Status::Ok();
    if (s.ok()) {
      Reply(conn, 200, "text/plain; charset=utf-8", "ok\n");
    } else {
      Reply(conn, 503, "text/plain; charset=utf-8", s.ToString() + "\n");
    }
    return true;
  }

 private:
  HttpEndpoint::ReadyCheck check_;
};

}  // namespace

struct HttpEndpoint::Impl {
  MetricsHandler metrics;
  CheckHandler healthz;
  CheckHandler readyz;
  std::unique_ptr<CivetServer> server;
};

HttpEndpoint::HttpEndpoint(std::vector<std::shared_ptr<prometheus::Collectable>> collectables,
                           ReadyCheck ready)
    : impl_(new Impl{MetricsHandler(std::move(collectables)), CheckHandler(nullptr),
                     CheckHandler(std::move(ready)), nullptr}) {}

HttpEndpoint::~HttpEndpoint() { Stop(); }

Status HttpEndpoint::Start(const std::string& address) {
  std::vector<std::string> options = {"listening_ports", address, "num_threads", "2"};
  try {
    impl_->server = std::make_unique<CivetServer>(options);
  } catch (const std::exception& e) {
    return Status::Unavailable("listen on " + address + ": " + e.what());
  }
  if (!impl_->server->getContext()) {
    impl_->server.reset();
    return Status::Unavailable("listen on " + address + " failed");
  }
  impl_->server->addHandler("/metrics", impl_->metrics);
  impl_->server->addHandler("/healthz", impl_->healthz);
  impl_->server->addHandler("/readyz", impl_->readyz);
  std::vector<int> ports = impl_->server->getListeningPorts();
  port_ = ports.empty() ? 0 : ports.front();
  return Status::Ok();
}

void HttpEndpoint::Stop() {
  if (impl_ && impl_->server) {
    impl_->server->close();
    impl_->server.reset();
  }
}

}  // namespace limen::bpf

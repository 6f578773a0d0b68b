#include "limen/bpf/agent_server.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>

#include "limen/bpf/metrics.h"
#include "limen/serving/observability.h"

namespace limen::bpf {

StatusOr<std::pair<std::string, uint16_t>> ResolveListenAddress(const std::string& address) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status::InvalidArgument("--metrics-addr: want HOST:PORT, got '" + address + "'");
  }
  std::string host = address.substr(0, colon), port_text = address.substr(colon + 1);
  unsigned port = 0;
  auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port > 65535) {
    return Status::InvalidArgument("--metrics-addr: bad port in '" + address + "'");
  }
  if (port != 0) return std::make_pair(host, static_cast<uint16_t>(port));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (int rc = getaddrinfo(host.c_str(), "0", &hints, &res); rc != 0 || !res) {
    return Status::InvalidArgument("--metrics-addr: cannot resolve '" + host +
                                   "': " + gai_strerror(rc));
  }
  int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  bool ok = fd >= 0 && bind(fd, res->ai_addr, res->ai_addrlen) == 0 &&
            getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0;
  freeaddrinfo(res);
  if (fd >= 0) close(fd);
  if (!ok) return Status::Unavailable("--metrics-addr: cannot pick a free port on " + host);
  uint16_t picked = ss.ss_family == AF_INET6
                        ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                        : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  return std::make_pair(host, picked);
}

AgentServer::AgentServer(const Agent& agent)
    : agent_(agent), registry_(std::make_shared<prometheus::Registry>()) {
  health_.Add(serving::HealthChecks::Kind::kLiveness, "agent-loop", [this] {
    auto age = std::chrono::system_clock::now() - agent_.Snapshot().reported_at;
    if (age > std::chrono::seconds(30)) {
      return Status::Unavailable(
          "no snapshot for " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(age).count()) + " s");
    }
    return Status::Ok();
  });
  health_.Add(serving::HealthChecks::Kind::kReadiness, "probes-loaded",
              [this] { return agent_.Ready(); });
}

AgentServer::~AgentServer() { Stop(); }

void AgentServer::AddReadiness(std::string name, serving::HealthChecks::Check check) {
  health_.Add(serving::HealthChecks::Kind::kReadiness, std::move(name), std::move(check));
}

void AgentServer::AppendAgentMetrics(std::string& out) const {
  out += SerializeMetrics(RenderMetricFamilies(agent_.Snapshot()));
}

std::string AgentServer::RenderMetrics() const {
  return serving::RenderMetrics(*registry_, [this](std::string& out) { AppendAgentMetrics(out); });
}

Status AgentServer::Start(const std::string& address) {
  LIMEN_ASSIGN_OR_RETURN(auto hp, ResolveListenAddress(address));
  serving::HttpServerOptions opts;
  opts.host = hp.first;
  opts.port = hp.second;
  server_ = std::make_unique<serving::HttpServer>(opts);
  serving::AddObservabilityRoutes(*server_, *registry_, health_,
                                  [this](std::string& out) { AppendAgentMetrics(out); });
  if (Status s = server_->Start(); !s.ok()) {
    server_.reset();
    return s;
  }
  port_ = hp.second;
  return Status::Ok();
}

void AgentServer::Stop() {
  if (server_) server_->Stop();
  server_.reset();
}

}  // namespace limen::bpf

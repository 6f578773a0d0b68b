// AgentServer: the loader's /metrics, /healthz, /livez and /readyz, served by lib/serving like
// every Limen binary (HttpServer + HealthChecks + AddObservabilityRoutes).
//
// /metrics is the text exposition of the server's prometheus::Registry (for process-level
// metrics registered by the binary) followed by the agent's families, which are rendered
// from the agent's latest NodeReport at scrape time (RenderMetricFamilies): a pod that left
// the node leaves /metrics with it, with no delta bookkeeping (AddObservabilityRoutes appends
// them after the registry's).
//
// Health: liveness "agent-loop" fails when the agent has not published a snapshot for 30 s
// (a stuck loop); readiness "probes-loaded" is Agent::Ready() (probes loaded, first resync
// done), plus whatever AddReadiness adds (kube mode: "informers-synced").
//
// Thread-safety: AddReadiness/Start/Stop from one thread; handlers run on the HTTP
// listener's threads and only read the agent's mutex-guarded snapshot.
#pragma once

#include <prometheus/registry.h>

#include <cstdint>
#include <memory>
#include <string>

#include "limen/bpf/agent.h"
#include "limen/serving/health.h"
#include "limen/serving/http_server.h"

namespace limen::bpf {

// "host:port" → (host, port); port 0 picks a free port now (bind to :0, read it back,
// close), since lib/serving needs a concrete port. Errors name the address.
StatusOr<std::pair<std::string, uint16_t>> ResolveListenAddress(const std::string& address);

class AgentServer {
 public:
  explicit AgentServer(const Agent& agent);
  ~AgentServer();

  prometheus::Registry& registry() { return *registry_; }
  // REQUIRES: before Start().
  void AddReadiness(std::string name, serving::HealthChecks::Check check);

  Status Start(const std::string& address);
  void Stop();
  uint16_t port() const { return port_; }

  // The /metrics body (for tests and the benchmark).
  std::string RenderMetrics() const;

 private:
  void AppendAgentMetrics(std::string& out) const;

  const Agent& agent_;
  std::shared_ptr<prometheus::Registry> registry_;
  serving::HealthChecks health_;
  std::unique_ptr<serving::HttpServer> server_;
  uint16_t port_ = 0;
};

}  // namespace limen::bpf

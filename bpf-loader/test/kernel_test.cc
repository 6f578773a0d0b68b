// Probes on the real kernel (ctest label bpf; run as root). Each test plays kubelet: it
// starts real processes in real cgroups, points an Agent at them through a StaticPodSource,
// and checks what the kernel counted against what the workload itself did.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <thread>

#include "limen/bpf/agent.h"
#include "limen/bpf/features.h"
#include "limen/bpf/metrics.h"
#include "limen/bpf/node_probe_state.h"
#include "limen/bpf/probe_loader.h"

namespace limen::bpf {
namespace {

using namespace std::chrono_literals;

std::string TestData(const std::string& name) {
  const char* dir = std::getenv("LIMEN_BPF_TESTDATA");  // NOLINT(concurrency-mt-unsafe): setup
  return std::string(dir ? dir : ".") + "/" + name;
}

// A child process with pipes on stdin and stdout, optionally started inside a cgroup
// directory (it joins the cgroup before exec, so its exec is already traced).
class Child {
 public:
  Child(std::vector<std::string> argv, const std::vector<std::string>& cgroups = {},
        bool realtime = false) {
    int in[2], out[2];
    EXPECT_EQ(pipe2(in, O_CLOEXEC), 0);
    EXPECT_EQ(pipe2(out, O_CLOEXEC), 0);
    pid_ = fork();
    if (pid_ == 0) {
      for (const auto& cg : cgroups) {
        std::ofstream(cg + "/cgroup.procs") << getpid() << std::flush;
      }
      if (realtime) {
        // The 2 ms startup budget is about the probe's precision, not about how busy the
        // machine's other tenants keep the CPUs: let the workload's wake-up preempt them.
        sched_param sp{};
        sp.sched_priority = 10;
        sched_setscheduler(0, SCHED_FIFO, &sp);
      }
      dup2(in[0], 0);
      dup2(out[1], 1);
      std::vector<char*> args;
      args.reserve(argv.size() + 1);
      for (auto& a : argv) args.push_back(a.data());
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    stdout_ = out[0];
  }
  ~Child() {
    CloseStdin();
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    close(stdout_);
  }
  int pid() const { return pid_; }
  std::string ReadLine() {
    std::string line;
    char c;
    while (read(stdout_, &c, 1) == 1 && c != '\n') line += c;
    return line;
  }
  void Write(const std::string& s) {
    EXPECT_EQ(write(stdin_, s.data(), s.size()), static_cast<ssize_t>(s.size()));
  }
  void CloseStdin() {
    if (stdin_ >= 0) close(stdin_);
    stdin_ = -1;
  }
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  int pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
};

// This process's cgroup directory in the hierarchy mounted at `mount` (v2, or v1 memory).
std::string OwnCgroupDir(const std::string& mount) {
  auto entries = ReadProcCgroup(getpid());
  std::string own = "/";
  bool v2 = mount.find("memory") == std::string::npos;
  for (const auto& e : *entries) {
    bool mem = std::count(e.controllers.begin(), e.controllers.end(), "memory") > 0;
    if ((v2 && e.hierarchy == 0) || (!v2 && mem)) own = e.path;
  }
  return mount + (own == "/" ? "" : own);
}

// A test cgroup directory `parent/name`, removed afterwards. Tests nest theirs under this
// process's own cgroup so that they stay within whatever limits it runs under.
class TestCgroup {
 public:
  TestCgroup(const std::string& parent, const std::string& name) : path_(parent + "/" + name) {
    mkdir(path_.c_str(), 0755);
  }
  ~TestCgroup() {
    for (int i = 0; i < 50 && rmdir(path_.c_str()) != 0; ++i) std::this_thread::sleep_for(20ms);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

CgroupMounts Mounts() { return ReadCgroupMounts().value_or(CgroupMounts{}); }

// Polls and publishes until `done(report)` or the timeout; returns the last report.
NodeReport PollUntil(Agent& agent, const std::function<bool(const NodeReport&)>& done,
                     std::chrono::milliseconds timeout = 5s) {
  auto until = std::chrono::steady_clock::now() + timeout;
  NodeReport r;
  do {
    agent.PollOnce(50);
    agent.Publish(false);
    r = agent.Snapshot();
    if (done(r)) break;
  } while (std::chrono::steady_clock::now() < until);
  return r;
}

const ContainerReport* Container(const NodeReport& r) {
  return r.pods.empty() || r.pods[0].containers.empty() ? nullptr : &r.pods[0].containers[0];
}

EventCounts CountOf(const NodeReport& r, Probe p) {
  const ContainerReport* c = Container(r);
  return c ? c->counts[static_cast<size_t>(p)] : EventCounts{};
}

const ProbeStatus* StatusOf(const NodeReport& r, Probe p) {
  for (const auto& s : r.probes) {
    if (s.probe == p) return &s;
  }
  return nullptr;
}

PodTarget Pod(ContainerTarget c) { return PodTarget{"test", "workload", "uid-1", {std::move(c)}}; }

// The port of tcp_peer's "listening PORT" line; "" for anything else.
std::string ListeningPort(const std::string& line) {
  const std::string prefix = "listening ";
  return line.rfind(prefix, 0) == 0 ? line.substr(prefix.size()) : "";
}

class KernelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
  }
};

void CheckGoroutineCounts(const std::string& binary) {
  const int n = 200;
  Child go({TestData(binary), std::to_string(n)});
  ASSERT_EQ(go.ReadLine(), "ready");
  StaticPodSource source({Pod(ContainerTarget{"app", "", {}, {go.pid()}})});
  Agent agent(AgentOptions{}, source, nullptr);
  ASSERT_TRUE(agent.Start().ok());
  ASSERT_TRUE(agent.Resync().ok());
  agent.Publish(false);
  const NodeReport attached = agent.Snapshot();
  for (Probe p : {Probe::kGoGoroutineCreate, Probe::kGoGoroutineExit, Probe::kGoChanBlock}) {
    const ProbeStatus* s = StatusOf(attached, p);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->state, ProbeState::kAttached) << ProbeName(p) << ": " << s->error;
  }
  go.Write("go\n");
  EXPECT_EQ(go.ReadLine(), "created=" + std::to_string(n) + " exited=" + std::to_string(n));
  NodeReport r = PollUntil(agent, [&](const NodeReport& rep) {
    return CountOf(rep, Probe::kGoGoroutineExit).hits >= static_cast<uint64_t>(n);
  });
  EXPECT_EQ(CountOf(r, Probe::kGoGoroutineCreate).hits, static_cast<uint64_t>(n));
  // Exits: the program's n, plus at most one or two of the runtime's own goroutines that
  // were started before the probes attached and retire during the window (seen about once in
  // twenty runs on go1.26); creates above are exact because none of those start then.
  EXPECT_GE(CountOf(r, Probe::kGoGoroutineExit).hits, static_cast<uint64_t>(n));
  EXPECT_LE(CountOf(r, Probe::kGoGoroutineExit).hits, static_cast<uint64_t>(n) + 2);
  EXPECT_EQ(CountOf(r, Probe::kGoGoroutineCreate).dropped, 0u);
  // Every goroutine blocks once in `ch <- i` (unless main was already waiting).
  EXPECT_GT(CountOf(r, Probe::kGoChanBlock).hits, 0u);
  const ContainerReport* c = Container(r);
  ASSERT_NE(c, nullptr);
  uint64_t observed = 0;
  for (uint64_t b : c->measurements.chan_block_buckets) observed += b;
  EXPECT_EQ(observed, CountOf(r, Probe::kGoChanBlock).delivered);
  EXPECT_GT(c->rss_bytes, 0u);
}

TEST_F(KernelTest, GoGoroutineCountsMatchTheProgramPlain) { CheckGoroutineCounts("goworkload"); }
TEST_F(KernelTest, GoGoroutineCountsMatchTheProgramStripped) {
  CheckGoroutineCounts("goworkload-stripped");
}

TEST_F(KernelTest, TcpBytesSentEqualWhatTheClientSent) {
  CgroupMounts m = Mounts();
  ASSERT_FALSE(m.v2.empty());
  TestCgroup cg(OwnCgroupDir(m.v2), "limen-test-tcp-" + std::to_string(getpid()));
  Child server({TestData("tcp_peer"), "server", "0"});
  const std::string port = ListeningPort(server.ReadLine());
  ASSERT_FALSE(port.empty());
  StaticPodSource source({Pod(ContainerTarget{"app", "", {cg.path()}, {}})});
  Agent agent(AgentOptions{}, source, nullptr);
  ASSERT_TRUE(agent.Start().ok());
  ASSERT_TRUE(agent.Resync().ok());
  const long bytes = 1'000'003;
  Child client({TestData("tcp_peer"), "client", "127.0.0.1", port, std::to_string(bytes), "7919"},
               {cg.path()});
  EXPECT_EQ(client.ReadLine(), "sent=" + std::to_string(bytes));
  EXPECT_EQ(server.ReadLine(), "received=" + std::to_string(bytes));
  client.Wait();
  NodeReport r = PollUntil(agent, [&](const NodeReport& rep) {
    const ContainerReport* c = Container(rep);
    return c && c->measurements.tcp_bytes_sent >= static_cast<uint64_t>(bytes);
  });
  ASSERT_NE(Container(r), nullptr);
  EXPECT_EQ(Container(r)->measurements.tcp_bytes_sent, static_cast<uint64_t>(bytes));
  EXPECT_EQ(CountOf(r, Probe::kTcpSend).dropped, 0u);
  EXPECT_GE(Container(r)->measurements.exits_by_code.count(0), 1u);  // process.exit, code 0
}

// Loads the tracepoint probes with only `variant` ("tp_btf", "raw_tp" or "tracepoint")
// left available, traces a cgroup, and checks that the tcp.send events carry exactly the
// bytes a client in it sent and that the kernel counters agree with the events received.
void CheckTracepointVariant(KernelFeatures f, const std::string& variant) {
  f.tp_btf.available = variant == "tp_btf";
  f.raw_tp.available = variant == "raw_tp";
  f.tracepoint.available = f.tracepoint.available && variant == "tracepoint";
  LoaderOptions options;
  options.probes = {Probe::kTcpSend, Probe::kTcpState};
  auto loader = ProbeLoader::Load(f, options);
  ASSERT_TRUE(loader.ok()) << loader.status().message();
  for (const ProbeStatus& s : (*loader)->probe_status()) {
    EXPECT_EQ(s.state, ProbeState::kAttached) << ProbeName(s.probe) << ": " << s.error;
    EXPECT_EQ(s.variant, variant) << ProbeName(s.probe);
  }
  CgroupMounts m = Mounts();
  TestCgroup cg(OwnCgroupDir(m.v2), "limen-test-" + variant + "-" + std::to_string(getpid()));
  auto id = CgroupIdOfPath(cg.path());
  ASSERT_TRUE(id.ok());
  const uint32_t slot = 7;
  ASSERT_TRUE((*loader)->SetCgroupSlot(*id, false, slot).ok());
  Child server({TestData("tcp_peer"), "server", "0"});
  const std::string port = ListeningPort(server.ReadLine());
  ASSERT_FALSE(port.empty());
  const long bytes = 300'007;
  Child client({TestData("tcp_peer"), "client", "127.0.0.1", port, std::to_string(bytes), "4001"},
               {cg.path()});
  EXPECT_EQ(client.ReadLine(), "sent=" + std::to_string(bytes));
  EXPECT_EQ(server.ReadLine(), "received=" + std::to_string(bytes));
  client.Wait();
  uint64_t sent = 0, sends = 0, states = 0;
  auto until = std::chrono::steady_clock::now() + 5s;
  while (sent < static_cast<uint64_t>(bytes) && std::chrono::steady_clock::now() < until) {
    ASSERT_TRUE((*loader)
                    ->Poll(50,
                           [&](const limen_event& e) {
                             EXPECT_EQ(e.slot, slot);
                             if (e.probe == LIMEN_PROBE_TCP_SEND) sent += e.arg0, ++sends;
                             if (e.probe == LIMEN_PROBE_TCP_STATE) ++states;
                           })
                    .ok());
  }
  EXPECT_EQ(sent, static_cast<uint64_t>(bytes));
  auto counts = (*loader)->ReadCounters(slot);
  EventCounts send = counts[static_cast<size_t>(Probe::kTcpSend)];
  EXPECT_EQ(send.delivered, sends);
  EXPECT_EQ(send.hits, sends);
  EXPECT_EQ(send.dropped, 0u);
  EXPECT_GE(states, 2u);  // the client's connect and close at least
  EXPECT_EQ(counts[static_cast<size_t>(Probe::kTcpState)].delivered, states);
}

TEST_F(KernelTest, EveryTracepointVariantSeesTheSameSends) {
  KernelFeatures f = ProbeKernelFeatures();
  for (const char* v : {"tp_btf", "raw_tp", "tracepoint"}) {
    bool available = std::string(v) == "tp_btf"   ? f.tp_btf.available
                     : std::string(v) == "raw_tp" ? f.raw_tp.available
                                                  : f.tracepoint.available && f.tracefs.available;
    if (!available) {
      std::cout << v << ": not available on this kernel, skipped" << std::endl;
      continue;
    }
    SCOPED_TRACE(v);
    CheckTracepointVariant(f, v);
  }
}

// Kube mode loads without the pid filter: a pid cannot be traced, fork tracking is not
// loaded, and a cgroup's processes are still seen from exec to exit.
TEST_F(KernelTest, WithoutPidTracingCgroupsAreStillTraced) {
  LoaderOptions options;
  options.probes = {Probe::kProcessExec, Probe::kProcessExit};
  options.trace_pids = false;
  auto loader = ProbeLoader::Load(ProbeKernelFeatures(), options);
  ASSERT_TRUE(loader.ok()) << loader.status().message();
  EXPECT_EQ((*loader)->SetPidSlot(static_cast<uint32_t>(getpid()), 3).code(),
            StatusCode::kFailedPrecondition);
  CgroupMounts m = Mounts();
  TestCgroup cg(OwnCgroupDir(m.v2), "limen-test-nopids-" + std::to_string(getpid()));
  auto id = CgroupIdOfPath(cg.path());
  ASSERT_TRUE(id.ok());
  const uint32_t slot = 9;
  ASSERT_TRUE((*loader)->SetCgroupSlot(*id, false, slot).ok());
  Child({"/bin/sh", "-c", "exit 3"}, {cg.path()}).Wait();
  int execs = 0, exits = 0;
  auto until = std::chrono::steady_clock::now() + 5s;
  while ((execs == 0 || exits == 0) && std::chrono::steady_clock::now() < until) {
    ASSERT_TRUE((*loader)
                    ->Poll(50,
                           [&](const limen_event& e) {
                             EXPECT_EQ(e.slot, slot);
                             if (e.probe == LIMEN_PROBE_PROCESS_EXEC) ++execs;
                             if (e.probe == LIMEN_PROBE_PROCESS_EXIT && e.arg0 == 3) ++exits;
                           })
                    .ok());
  }
  EXPECT_EQ(execs, 1);
  EXPECT_EQ(exits, 1);
  EXPECT_TRUE((*loader)->TracedPids().empty());
}

// A forced retransmit (tcp_peer in a network namespace whose lo goes down) in a test
// cgroup, traced with `options`: counted in the kernel and attributed to the container.
void ExpectRetransmitAttributed(const AgentOptions& options, const std::string& cgroup_name) {
  CgroupMounts m = Mounts();
  TestCgroup cg(OwnCgroupDir(m.v2), cgroup_name + "-" + std::to_string(getpid()));
  StaticPodSource source({Pod(ContainerTarget{"app", "", {cg.path()}, {}})});
  Agent agent(options, source, nullptr);
  ASSERT_TRUE(agent.Start().ok());
  ASSERT_TRUE(agent.Resync().ok());
  Child peer({TestData("tcp_peer"), "retransmit"}, {cg.path()});
  EXPECT_EQ(peer.ReadLine(), "done");
  NodeReport r = PollUntil(
      agent, [](const NodeReport& rep) { return CountOf(rep, Probe::kTcpRetransmit).hits > 0; });
  EXPECT_GT(CountOf(r, Probe::kTcpRetransmit).hits, 0u);
  ASSERT_NE(Container(r), nullptr);
  EXPECT_GT(Container(r)->measurements.tcp_retransmits, 0u);
}

TEST_F(KernelTest, ForcedRetransmitIsSeen) {
  ExpectRetransmitAttributed(AgentOptions{}, "limen-test-rtx");
}

// With tcp.retransmit alone no process-context probe sees the socket first: the retransmit
// (fired from the RTO timer, in softirq) is attributed by the socket's cgroup.
TEST_F(KernelTest, RetransmitAloneIsAttributedByTheSocketsCgroup) {
  AgentOptions options;
  options.loader.probes = {Probe::kTcpRetransmit};
  ExpectRetransmitAttributed(options, "limen-test-rtx1");
}

// One traced start of listen_after (5 ms, then listen()) in a fresh pod: its startup.
std::optional<uint64_t> MeasureStartupOf5msWorkload(int attempt) {
  CgroupMounts m = Mounts();
  TestCgroup cg(OwnCgroupDir(m.v2),
                "limen-test-startup-" + std::to_string(getpid()) + "-" + std::to_string(attempt));
  StaticPodSource source({Pod(ContainerTarget{"app", "", {cg.path()}, {}})});
  Agent agent(AgentOptions{}, source, nullptr);
  EXPECT_TRUE(agent.Start().ok());
  EXPECT_TRUE(agent.Resync().ok());
  Child w({TestData("listen_after"), "5", "0"}, {cg.path()}, /*realtime=*/true);
  EXPECT_EQ(w.ReadLine(), "listening");
  NodeReport r = PollUntil(agent, [](const NodeReport& rep) {
    return !rep.pods.empty() && rep.pods[0].StartupNanos().has_value();
  });
  if (r.pods.empty() || !r.pods[0].StartupNanos()) return std::nullopt;
  EXPECT_EQ(RenderNodeProbeStatus(r)["pods"][0]["startupNanos"], *r.pods[0].StartupNanos());
  return r.pods[0].StartupNanos();
}

// The bound below is the probe's correctness (it can never see less than the 5 ms the
// workload waits) and holds for every attempt; the bound above is its precision, which a
// busy host's scheduling delays (the VM's vCPU may not run) can exceed: up to 3 attempts.
TEST_F(KernelTest, StartupOfA5msWorkloadIsBetween5And7ms) {
  bool within = false;
  for (int attempt = 1; attempt <= 3 && !within; ++attempt) {
    auto startup = MeasureStartupOf5msWorkload(attempt);
    ASSERT_TRUE(startup.has_value());
    std::cout << "attempt " << attempt << ": startup_ns=" << *startup << std::endl;
    EXPECT_GE(*startup, 5'000'000u);
    within = *startup >= 5'000'000u && *startup <= 7'000'000u;
  }
  EXPECT_TRUE(within) << "no attempt measured a startup within [5 ms, 7 ms]";
}

TEST_F(KernelTest, RingBufferOverflowLowersCoverageAndIsReported) {
  CgroupMounts m = Mounts();
  TestCgroup cg(OwnCgroupDir(m.v2), "limen-test-overflow-" + std::to_string(getpid()));
  Child server({TestData("tcp_peer"), "server", "0"});
  const std::string port = ListeningPort(server.ReadLine());
  ASSERT_FALSE(port.empty());
  StaticPodSource source({Pod(ContainerTarget{"app", "", {cg.path()}, {}})});
  AgentOptions opts;
  opts.loader.ringbuf_bytes = 4096;  // ~56 records; nothing consumes while the client runs
  Agent agent(opts, source, nullptr);
  ASSERT_TRUE(agent.Start().ok());
  ASSERT_TRUE(agent.Resync().ok());
  Child client({TestData("tcp_peer"), "client", "127.0.0.1", port, "200000", "100"}, {cg.path()});
  EXPECT_EQ(client.ReadLine(), "sent=200000");
  client.Wait();
  NodeReport r = PollUntil(
      agent, [](const NodeReport&) { return false; }, 300ms);
  EventCounts send = CountOf(r, Probe::kTcpSend);
  EXPECT_EQ(send.hits, 2000u);
  EXPECT_GT(send.dropped, 0u);
  EXPECT_EQ(send.hits, send.delivered + send.dropped);
  ASSERT_FALSE(r.pods.empty());
  auto cov = Coverage(r.pods[0].TotalCounts());
  ASSERT_TRUE(cov.has_value());
  EXPECT_LT(*cov, 1.0);
  std::cout << "coverage=" << *cov << " dropped=" << send.dropped << std::endl;
  EXPECT_GT(RenderNodeProbeStatus(r)["pods"][0]["events"]["dropped"].get<uint64_t>(), 0u);
  std::string metrics = SerializeMetrics(RenderMetricFamilies(r));
  EXPECT_NE(metrics.find("limen_probe_dropped_total"), std::string::npos);
}

// Plays kubelet on a containerd node: the process runs in a cgroup named after its
// container ID, and the Pod's status carries containerd://<id>.
void CheckContainerdAttribution(const std::string& mount) {
  const std::string id =
      "0123456789abcdef0123456789abcdef0123456789abcdef" + std::string("0123456789abcdef");
  TestCgroup parent(OwnCgroupDir(mount), "limen-test-kubepods-" + std::to_string(getpid()));
  TestCgroup cg(parent.path(), "cri-containerd-" + id + ".scope");
  // Another pod's container that must not be confused with ours.
  Child w({TestData("listen_after"), "0", "0"}, {cg.path()});
  std::this_thread::sleep_for(20ms);  // the child joins its cgroup before exec
  PodTarget web{"team-a",
                "web-0",
                "8f1b3c2d-1a2b-4c3d-9e8f-0123456789ab",
                {ContainerTarget{"app", "containerd://" + id, {}, {}}}};
  PodTarget other{"team-b",
                  "db-0",
                  "uid-2",
                  {ContainerTarget{"db", "containerd://" + std::string(64, 'e'), {}, {}}}};
  StaticPodSource source({other, web});
  Agent agent(AgentOptions{}, source, nullptr);
  ASSERT_TRUE(agent.Start().ok());
  ASSERT_TRUE(agent.Resync().ok());
  agent.Publish(false);
  NodeReport r = agent.Snapshot();
  ASSERT_EQ(r.pods.size(), 2u);
  const PodReport* pod = nullptr;
  for (const auto& p : r.pods) {
    if (p.name == "web-0") pod = &p;
    if (p.name == "db-0") {
      EXPECT_EQ(p.containers[0].processes, 0);
    }
  }
  ASSERT_NE(pod, nullptr);
  EXPECT_EQ(pod->containers[0].processes, 1);
  EXPECT_GT(pod->RssBytes(), 0u);
  // Kernel-side attribution: the workload's next TCP state changes count for web-0.
  w.CloseStdin();
  w.Wait();
  Child again({TestData("listen_after"), "0", "0"}, {cg.path()});
  EXPECT_EQ(again.ReadLine(), "listening");
  r = PollUntil(agent, [](const NodeReport& rep) {
    for (const auto& p : rep.pods) {
      if (p.name == "web-0" && p.StartupNanos()) return true;
    }
    return false;
  });
  for (const auto& p : r.pods) {
    EventCounts c = p.TotalCounts();
    if (p.name == "web-0") {
      EXPECT_GT(c.hits, 0u);
      EXPECT_TRUE(p.StartupNanos().has_value());
    } else {
      EXPECT_EQ(c.hits, 0u);
    }
  }
}

TEST_F(KernelTest, ContainerdContainerIsAttributedToItsPodCgroupV2) {
  CgroupMounts m = Mounts();
  ASSERT_FALSE(m.v2.empty());
  CheckContainerdAttribution(m.v2);
}

TEST_F(KernelTest, ContainerdContainerIsAttributedToItsPodCgroupV1) {
  CgroupMounts m = Mounts();
  if (!m.v1.count("memory")) GTEST_SKIP() << "no v1 memory hierarchy on this host";
  CheckContainerdAttribution(m.v1.at("memory"));
}

TEST_F(KernelTest, UnavailableFeaturesAreReportedNotFatal) {
  StaticPodSource source({});
  Agent agent(AgentOptions{}, source, nullptr);
  ASSERT_TRUE(agent.Start().ok());
  NodeReport r = agent.Snapshot();
  nlohmann::json k = RenderNodeProbeStatus(r)["kernel"];
  EXPECT_TRUE(k["btf"].get<bool>());
  EXPECT_TRUE(r.kernel.kprobes.available || !r.kernel.kprobes.reason.empty());
  EXPECT_TRUE(r.kernel.fentry.available || !r.kernel.fentry.reason.empty());
  for (const auto& p : r.probes) {
    EXPECT_NE(p.state, ProbeState::kFailed) << ProbeName(p.probe) << ": " << p.error;
  }
}

}  // namespace
}  // namespace limen::bpf

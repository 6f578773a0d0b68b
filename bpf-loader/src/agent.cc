#include "limen/bpf/agent.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <thread>

#include "limen/bpf/aggregator.h"
#include "limen/bpf/procfs.h"

namespace limen::bpf {
namespace {

using ProcsById = std::map<std::string, std::vector<std::pair<int, std::vector<CgroupEntry>>>>;

std::string HostName() {
  char buf[256] = {};
  gethostname(buf, sizeof(buf) - 1);
  return buf;
}

bool Alive(int pid) { return kill(pid, 0) == 0 || errno == EPERM; }

// The mount a cgroup directory lives under: ("" for v2 | controller, relative path).
std::pair<std::string, std::string> Locate(const CgroupMounts& m, const std::string& dir) {
  auto under = [&](const std::string& root) {
    return !root.empty() && dir.compare(0, root.size(), root) == 0 &&
           (dir.size() == root.size() || dir[root.size()] == '/');
  };
  if (under(m.v2)) return {"", dir.substr(m.v2.size())};
  for (const auto& [ctrl, root] : m.v1) {
    if (under(root)) return {ctrl, dir.substr(root.size())};
  }
  return {"?", dir};
}

}  // namespace

Agent::Agent(AgentOptions options, PodSource& source, StateSink* sink)
    : options_(std::move(options)), source_(source), sink_(sink) {
  for (uint32_t s = LIMEN_MAX_SLOTS - 1; s >= 1; --s) free_slots_.push_back(s);
}

Agent::~Agent() = default;

Status Agent::Start() {
  features_ = ProbeKernelFeatures();
  auto mounts = ReadCgroupMounts();
  if (mounts.ok()) mounts_ = *mounts;
  LoaderOptions loader = options_.loader;
  // Without a v1 memory hierarchy no process has such an id: no walk to it on every event.
  if (mounts.ok()) loader.match_cgroup_v1 &= mounts_.has_v1_memory();
  LIMEN_ASSIGN_OR_RETURN(loader_, ProbeLoader::Load(features_, loader));
  for (const auto& p : loader_->probe_status()) {
    spdlog::info("probe {}: {} {}{}", ProbeName(p.probe), ProbeStateName(p.state), p.variant,
                 p.error.empty() ? "" : " (" + p.error + ")");
  }
  Publish(false);
  return Status::Ok();
}

Status Agent::Resync() {
  auto pods = source_.ListPods();
  if (!pods.ok()) return pods.status().WithContext("listing pods");
  ++stats_.resyncs;
  bool want_ids = false;
  for (const auto& p : *pods) {
    for (const auto& c : p.containers) want_ids |= !c.container_id.empty();
  }
  ProcsById by_id;
  if (want_ids) {
    for (int pid : ListPids()) {
      auto entries = ReadProcCgroup(pid);
      if (!entries.ok()) continue;  // vanished between listing and reading
      if (auto ref = ContainerOfProcess(*entries)) by_id[ref->id].emplace_back(pid, *entries);
    }
  }
  std::set<std::string> seen;
  for (const auto& p : *pods) {
    for (const auto& c : p.containers) {
      std::string key = p.namespace_ + "/" + p.name + "/" + c.name;
      seen.insert(key);
      auto [it, inserted] = tracked_.try_emplace(key);
      Tracked& t = it->second;
      if (inserted) {
        if (free_slots_.empty()) {
          tracked_.erase(it);
          spdlog::error("no free slot for {} (max {})", key, LIMEN_MAX_SLOTS - 1);
          continue;
        }
        t.slot = free_slots_.back();
        free_slots_.pop_back();
        t.pod_key = key;
        t.pod = PodTarget{p.namespace_, p.name, p.uid, {}, p.probes};
        t.container = c;
        loader_->ResetSlotCounters(t.slot);
        by_slot_[t.slot] = &t;
      }
      t.container = c;
      t.pod.probes = p.probes;  // policies may change while the pod stays
      Sync(t, by_id);
    }
  }
  for (auto it = tracked_.begin(); it != tracked_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    Untrack(it->second);
    it = tracked_.erase(it);
  }
  synced_ = true;
  return Status::Ok();
}

void Agent::Sync(Tracked& t, const ProcsById& by_id) {
  std::set<int> pids;
  std::set<std::pair<uint64_t, bool>> cgroups;
  for (int pid : t.container.pids) {
    if (!Alive(pid)) continue;
    pids.insert(pid);
    if (!t.explicit_pids.count(pid)) {
      Status s = loader_->SetPidSlot(static_cast<uint32_t>(pid), t.slot);
      if (s.ok())
        t.explicit_pids.insert(pid);
      else
        spdlog::warn("{}: pid {}: {}", t.pod_key, pid, s.ToString());
    }
  }
  for (const auto& dir : t.container.cgroups) {
    auto id = CgroupIdOfPath(dir);
    if (!id.ok()) {
      spdlog::warn("{}: {}", t.pod_key, id.status().ToString());
      continue;
    }
    auto [ctrl, rel] = Locate(mounts_, dir);
    if (ctrl.empty()) {
      cgroups.insert({*id, false});
      t.v2_path = rel;
    } else if (ctrl == "memory") {
      cgroups.insert({*id, true});
    } else {
      spdlog::warn(
          "{}: {} is under the v1 {} hierarchy; only v2 and v1 memory cgroups are "
          "matched in the kernel",
          t.pod_key, dir, ctrl);
    }
    if (ctrl == "cpuacct") t.cpuacct_path = rel;
    if (auto in = PidsInCgroup(dir); in.ok()) pids.insert(in->begin(), in->end());
  }
  if (auto ref = ParseContainerId(t.container.container_id)) {
    if (auto it = by_id.find(ref->id); it != by_id.end()) {
      for (const auto& [pid, entries] : it->second) {
        pids.insert(pid);
        for (const auto& e : entries) {
          bool v2 = e.hierarchy == 0 && e.controllers.empty();
          bool mem = std::count(e.controllers.begin(), e.controllers.end(), "memory") > 0;
          bool cpuacct = std::count(e.controllers.begin(), e.controllers.end(), "cpuacct") > 0;
          if (v2 && !mounts_.v2.empty()) {
            if (auto id = CgroupIdOfPath(mounts_.v2 + e.path); id.ok())
              cgroups.insert({*id, false});
            t.v2_path = e.path;
          }
          if (mem && mounts_.v1.count("memory")) {
            if (auto id = CgroupIdOfPath(mounts_.v1.at("memory") + e.path); id.ok()) {
              cgroups.insert({*id, true});
            }
          }
          if (cpuacct) t.cpuacct_path = e.path;
        }
      }
    }
  }
  for (const auto& cg : t.cgroups) {
    if (!cgroups.count(cg)) loader_->ClearCgroup(cg.first, cg.second);
  }
  for (const auto& cg : cgroups) {
    if (t.cgroups.count(cg)) continue;
    if (Status s = loader_->SetCgroupSlot(cg.first, cg.second, t.slot); !s.ok()) {
      spdlog::warn("{}: cgroup {}: {}", t.pod_key, cg.first, s.ToString());
    }
  }
  t.cgroups = std::move(cgroups);
  for (const auto& [tgid, slot] : loader_->TracedPids()) {
    if (slot == t.slot) pids.insert(static_cast<int>(tgid));
  }
  t.pids = std::move(pids);
  SyncBinaries(t);
}

void Agent::SyncBinaries(Tracked& t) {
  std::set<BinaryKey> now;
  bool wants_go = Wants(t, Probe::kGoGoroutineCreate) || Wants(t, Probe::kGoGoroutineExit) ||
                  Wants(t, Probe::kGoChanBlock);
  for (int pid : wants_go ? t.pids : std::set<int>{}) {
    auto key = ExecutableKey(pid);
    if (!key.ok()) continue;
    now.insert(*key);
    if (t.binaries.count(*key)) continue;
    Status s = loader_->AttachGoBinary("/proc/" + std::to_string(pid) + "/exe", *key);
    if (s.code() == StatusCode::kNotFound &&
        s.message().find("not a Go binary") != std::string::npos) {
      t.binaries.insert(*key);  // remembered so it is not inspected again
      loader_->ReleaseGoBinary(*key);
      continue;
    }
    if (!s.ok()) {
      ++stats_.go_binary_failures;
      spdlog::warn("{}: {}", t.pod_key, s.ToString());
      if (s.code() == StatusCode::kNotFound) continue;  // vanished: retry next resync
    }
    t.binaries.insert(*key);
  }
  for (auto it = t.binaries.begin(); it != t.binaries.end();) {
    if (now.count(*it)) {
      ++it;
      continue;
    }
    loader_->ReleaseGoBinary(*it);
    it = t.binaries.erase(it);
  }
}

void Agent::Untrack(Tracked& t) {
  for (int pid : t.explicit_pids) loader_->ClearPid(static_cast<uint32_t>(pid));
  for (const auto& [tgid, slot] : loader_->TracedPids()) {
    if (slot == t.slot) loader_->ClearPid(tgid);
  }
  for (const auto& cg : t.cgroups) loader_->ClearCgroup(cg.first, cg.second);
  for (const auto& b : t.binaries) loader_->ReleaseGoBinary(b);
  by_slot_.erase(t.slot);
  free_slots_.push_back(t.slot);
}

void Agent::OnEvent(const limen_event& e) {
  ++stats_.events_received;
  auto it = by_slot_.find(e.slot);
  if (it != by_slot_.end() && e.probe < kProbeCount &&
      !Wants(*it->second, static_cast<Probe>(e.probe))) {
    return;  // a probe this pod's policies do not ask for (kube mode runs them all)
  }
  if (it == by_slot_.end() || !ApplyEvent(e, it->second->measurements)) {
    ++stats_.events_malformed;  // a slot freed since the event was queued, or garbage
  }
}

int Agent::PollOnce(int timeout_ms) {
  if (!loader_) return 0;
  auto n = loader_->Poll(timeout_ms, [this](const limen_event& e) { OnEvent(e); });
  if (!n.ok()) {
    ++stats_.poll_errors;
    return 0;
  }
  return *n;
}

NodeReport Agent::BuildReport() {
  NodeReport r;
  r.node = options_.node.empty() ? HostName() : options_.node;
  r.kernel = features_;
  if (loader_) r.probes = loader_->probe_status();
  if (options_.probes_from_pods) {
    std::set<Probe> wanted;
    for (const auto& [key, t] : tracked_) wanted.insert(t.pod.probes.begin(), t.pod.probes.end());
    std::erase_if(r.probes, [&](const ProbeStatus& p) { return !wanted.count(p.probe); });
  }
  std::map<std::string, PodReport> pods;
  for (auto& [key, t] : tracked_) {
    std::string pod_key = t.pod.namespace_ + "/" + t.pod.name;
    PodReport& pod = pods[pod_key];
    pod.namespace_ = t.pod.namespace_;
    pod.name = t.pod.name;
    pod.uid = t.pod.uid;
    ContainerReport c;
    c.name = t.container.name;
    c.container_id = t.container.container_id;
    c.counts = loader_->ReadCounters(t.slot);
    for (int i = 0; i < kProbeCount; ++i) {
      if (!Wants(t, static_cast<Probe>(i))) c.counts[static_cast<size_t>(i)] = {};
    }
    c.measurements = t.measurements;
    double cpu = 0;
    for (int pid : t.pids) {
      if (auto rss = ProcessRssBytes(pid); rss.ok()) {
        c.rss_bytes += *rss;
        ++c.processes;
      }
      if (auto s = ProcessCpuSeconds(pid); s.ok()) cpu += *s;
    }
    auto cg = CgroupCpuSeconds(mounts_, t.v2_path, t.cpuacct_path);
    c.cpu_seconds = cg.ok() ? *cg : cpu;
    pod.containers.push_back(std::move(c));
  }
  for (auto& [k, p] : pods) r.pods.push_back(std::move(p));
  stats_.go_binaries_attached = loader_ ? loader_->go_binaries() : 0;
  if (auto rss = ProcessRssBytes(getpid()); rss.ok()) stats_.rss_bytes = *rss;
  r.loader = stats_;
  if (loader_) r.loader.events_malformed += loader_->malformed_events();
  r.reported_at = std::chrono::system_clock::now();
  return r;
}

void Agent::Publish(bool to_sink) {
  NodeReport r = BuildReport();
  Status ready = loader_ ? (synced_ ? Status::Ok() : Status::Unavailable("first resync pending"))
                         : Status::Unavailable("probes not loaded");
  {
    std::lock_guard<std::mutex> lock(mu_);
    snapshot_ = r;
    ready_ = ready;
  }
  if (sink_ && to_sink) {
    if (Status s = sink_->Report(r); !s.ok()) spdlog::warn("report: {}", s.ToString());
  }
}

void Agent::Run(const std::atomic<bool>& stop) {
  using Clock = std::chrono::steady_clock;
  auto next_resync = Clock::now();
  auto next_report = Clock::now() + options_.report_interval;
  auto next_snapshot = Clock::now();
  while (!stop.load()) {
    if (Clock::now() >= next_resync) {
      if (Status s = Resync(); !s.ok()) spdlog::warn("resync: {}", s.ToString());
      next_resync = Clock::now() + options_.resync_interval;
    }
    PollOnce(options_.poll_timeout_ms);
    if (Clock::now() >= next_report) {
      Publish(true);
      next_report = Clock::now() + options_.report_interval;
      next_snapshot = Clock::now() + options_.snapshot_interval;
    } else if (Clock::now() >= next_snapshot) {
      Publish(false);  // keeps /metrics fresh between sink reports
      next_snapshot = Clock::now() + options_.snapshot_interval;
    }
  }
  PollOnce(0);
  Publish(true);
}

NodeReport Agent::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshot_;
}

Status Agent::Ready() const {
  std::lock_guard<std::mutex> lock(mu_);
  return ready_;
}

}  // namespace limen::bpf

#include "limen/bpf/probe_loader.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdarg>
#include <cstring>

#include "limen/bpf/elf_file.h"
#include "limen/bpf/go_binary.h"
#include "limen_probes.skel.h"

namespace limen::bpf {
namespace {

std::string Errno(int err) {
  char buf[128];
  return ::strerror_r(err < 0 ? -err : err, buf, sizeof buf);  // GNU: returns the message
}

// libbpf's own messages (verifier logs included) go to spdlog at debug level.
int LibbpfPrint(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG && !spdlog::should_log(spdlog::level::trace)) return 0;
  va_list copy;
  va_copy(copy, args);
  int n = vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  if (n <= 0) return n;
  // Verifier logs run to many kilobytes; keep them whole.
  std::string msg(static_cast<size_t>(n) + 1, '\0');
  vsnprintf(msg.data(), msg.size(), fmt, args);
  msg.resize(static_cast<size_t>(n));
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  if (level == LIBBPF_WARN) {
    spdlog::warn("libbpf: {}", msg);
  } else {
    spdlog::debug("libbpf: {}", msg);
  }
  return n;
}

// The three ways to attach to a tracepoint, cheapest first: tp_btf reads its BTF-typed
// arguments with plain loads, raw_tp through probe-read helpers, and a classic tracepoint
// also needs tracefs.
enum class TpVariant { kNone, kTpBtf, kRawTp, kTracepoint };

const char* VariantName(TpVariant v) {
  switch (v) {
    case TpVariant::kTpBtf: return "tp_btf";
    case TpVariant::kRawTp: return "raw_tp";
    case TpVariant::kTracepoint: return "tracepoint";
    case TpVariant::kNone: break;
  }
  return "";
}

struct TracepointProgs {
  Probe probe;
  bpf_program* btf;
  bpf_program* raw;
  bpf_program* tp;

  bpf_program* Of(TpVariant v) const {
    return v == TpVariant::kTpBtf ? btf : v == TpVariant::kRawTp ? raw : tp;
  }
};

// Fork tracking (kProbeCount: no probe of its own) rides on the variant of the others.
std::vector<TracepointProgs> TracepointTable(limen_probes* s) {
  return {
      {Probe::kProcessExec, s->progs.btf_exec, s->progs.raw_exec, s->progs.tp_exec},
      {Probe::kProcessExit, s->progs.btf_exit, s->progs.raw_exit, s->progs.tp_exit},
      {Probe::kTcpSend, s->progs.btf_send, s->progs.raw_send, s->progs.tp_send},
      {Probe::kTcpRetransmit, s->progs.btf_retransmit, s->progs.raw_retransmit,
       s->progs.tp_retransmit},
      {Probe::kTcpState, s->progs.btf_state, s->progs.raw_state, s->progs.tp_state},
      {static_cast<Probe>(kProbeCount), s->progs.btf_fork, s->progs.raw_fork, s->progs.tp_fork}};
}

TpVariant FirstVariant(const KernelFeatures& f, TpVariant after) {
  if (after < TpVariant::kTpBtf && f.tp_btf.available) return TpVariant::kTpBtf;
  if (after < TpVariant::kRawTp && f.raw_tp.available) return TpVariant::kRawTp;
  if (after < TpVariant::kTracepoint && f.tracepoint.available && f.tracefs.available)
    return TpVariant::kTracepoint;
  return TpVariant::kNone;
}

struct GoFunction {
  Probe probe;
  const char* symbol;
  bpf_program* prog;
};

std::vector<GoFunction> GoTable(limen_probes* s) {
  return {{Probe::kGoGoroutineCreate, "runtime.newproc1", s->progs.go_newproc1},
          {Probe::kGoGoroutineExit, "runtime.goexit1", s->progs.go_goexit1},
          {Probe::kGoChanBlock, "runtime.gopark", s->progs.go_gopark},
          {Probe::kGoChanBlock, "runtime.ready", s->progs.go_ready}};
}

// Bytes from a Go function's entry to where its uprobe goes: past the stack-growth check,
// whose single-step would cost a second trap (go_binary.h, GoUprobeOffset). x86-64 only.
uint64_t UprobeSkip(const ElfFile& elf, uint64_t entry) {
#if defined(__x86_64__)
  return GoUprobeOffset(elf.BytesAt(entry, 16));
#else
  (void)elf;
  (void)entry;
  return 0;
#endif
}

}  // namespace

int ProbeLoader::OnRingEvent(void* ctx, void* data, size_t size) {
  auto* self = static_cast<ProbeLoader*>(ctx);
  if (size < sizeof(limen_event) || !self->poll_fn_) {
    ++self->malformed_;
    return 0;
  }
  limen_event e;
  std::memcpy(&e, data, sizeof(e));  // ring records are 8-byte aligned; copy anyway
  (*self->poll_fn_)(e);
  return 0;
}

StatusOr<std::unique_ptr<ProbeLoader>> ProbeLoader::Load(const KernelFeatures& features,
                                                         const LoaderOptions& options) {
  libbpf_set_print(LibbpfPrint);
  std::unique_ptr<ProbeLoader> l(new ProbeLoader());
  for (int i = 0; i < kProbeCount; ++i) {
    auto p = static_cast<Probe>(i);
    if (options.probes.empty() || options.probes.count(p)) {
      l->wanted_.insert(p);
      l->status_.push_back(ProbeStatus{p, ProbeState::kPending, "not attempted yet", "", {}, 0});
    }
  }
  auto fail_all = [&](ProbeState state, const std::string& why) {
    for (auto& s : l->status_) {
      s.state = state;
      s.error = why;
    }
  };
  if (!features.btf.available) {
    fail_all(ProbeState::kUnsupported, "no kernel BTF: " + features.btf.reason);
    return l;
  }
  if (!features.ring_buffer.available) {
    fail_all(ProbeState::kUnsupported, "no BPF ring buffer: " + features.ring_buffer.reason);
    return l;
  }
  int ncpus = libbpf_num_possible_cpus();
  l->ncpus_ = ncpus > 0 ? ncpus : 1;
  // tp_btf programs can still fail to load where the feature probe passed (a tracepoint's
  // BTF differs from the build machine's): then the object is opened and loaded again with
  // the next variant.
  for (TpVariant v = FirstVariant(features, TpVariant::kNone);; v = FirstVariant(features, v)) {
    if (l->skel_) limen_probes__destroy(l->skel_);
    l->skel_ = limen_probes__open();
    if (!l->skel_) {
      fail_all(ProbeState::kFailed, "opening the BPF object: " + Errno(errno));
      return l;
    }
    l->skel_->rodata->match_cgroup_v1 = options.match_cgroup_v1;
    l->skel_->rodata->trace_pids = options.trace_pids;
    l->skel_->rodata->wakeup_bytes = options.wakeup_bytes;
    bpf_map__set_max_entries(l->skel_->maps.events, options.ringbuf_bytes);
    int err = l->LoadObject(features, static_cast<int>(v));
    if (!err) {
      LIMEN_RETURN_IF_ERROR(l->AttachTracepoints(static_cast<int>(v)));
      return l;
    }
    if (v != TpVariant::kTpBtf || FirstVariant(features, v) == TpVariant::kNone) {
      std::string why = "loading the BPF object: " + Errno(err);
      for (auto& s : l->status_) {
        if (s.state == ProbeState::kPending)
          s = {s.probe, ProbeState::kFailed, why, s.variant, {}, 0};
      }
      return l;  // reported per probe; the agent keeps serving its status
    }
    spdlog::warn("tp_btf programs did not load ({}); trying the next variant", Errno(err));
  }
}

// Chooses which programs to load for `variant` (a TpVariant) and loads the object.
int ProbeLoader::LoadObject(const KernelFeatures& features, int variant) {
  auto v = static_cast<TpVariant>(variant);
  std::string tp_reason =
      "tp_btf: " + features.tp_btf.reason + "; raw_tp: " + features.raw_tp.reason +
      "; tracepoint: " +
      (features.tracepoint.available ? features.tracefs.reason : features.tracepoint.reason);
  for (const auto& t : TracepointTable(skel_)) {
    bool fork = static_cast<int>(t.probe) == kProbeCount;
    bool wanted = (fork ? skel_->rodata->trace_pids : wants(t.probe)) && v != TpVariant::kNone;
    for (TpVariant each : {TpVariant::kTpBtf, TpVariant::kRawTp, TpVariant::kTracepoint})
      bpf_program__set_autoload(t.Of(each), wanted && each == v);
    if (!fork && wants(t.probe)) {
      StatusOf(t.probe) =
          v == TpVariant::kNone
              ? ProbeStatus{t.probe, ProbeState::kUnsupported, tp_reason, "", {}, 0}
              : ProbeStatus{t.probe, ProbeState::kPending, "not attached yet", VariantName(v), {},
                            0};
    }
  }
  bool go_ok = features.uprobes.available;
  for (const auto& g : GoTable(skel_)) {
    bpf_program__set_autoload(g.prog, go_ok && wants(g.probe));
    if (wants(g.probe)) {
      ProbeStatus& s = StatusOf(g.probe);
      s.variant = "uprobe";
      if (go_ok) {
        s.error = "no Go process traced yet";
      } else {
        s.state = ProbeState::kUnsupported;
        s.error = features.uprobes.reason;
      }
    }
  }
  return limen_probes__load(skel_);
}

// Attaches the loaded tracepoint programs (Go probes attach later, per binary).
Status ProbeLoader::AttachTracepoints(int variant) {
  auto v = static_cast<TpVariant>(variant);
  for (const auto& t : TracepointTable(skel_)) {
    bpf_program* prog = t.Of(v);
    if (v == TpVariant::kNone || !bpf_program__autoload(prog)) continue;
    if (static_cast<int>(t.probe) == kProbeCount) {  // fork tracking
      if (bpf_link* link = bpf_program__attach(prog)) {
        links_.push_back(link);
      } else {
        spdlog::warn("fork tracking unavailable ({}): children of --pid targets are not traced",
                     Errno(errno));
      }
      continue;
    }
    ProbeStatus& s = StatusOf(t.probe);
    bpf_link* link = bpf_program__attach(prog);
    if (!link) {
      s.state = ProbeState::kFailed;
      s.error = std::string("attach ") + bpf_program__section_name(prog) + ": " + Errno(errno);
      continue;
    }
    links_.push_back(link);
    s.state = ProbeState::kAttached;
    s.error.clear();
    s.attached_at = std::chrono::system_clock::now();
  }
  ring_ = ring_buffer__new(bpf_map__fd(skel_->maps.events), OnRingEvent, this, nullptr);
  if (!ring_) return Status::Internal("ring_buffer__new: " + Errno(errno));
  return Status::Ok();
}

ProbeLoader::~ProbeLoader() {
  for (auto& [key, b] : binaries_) {
    for (bpf_link* link : b.links) bpf_link__destroy(link);
  }
  for (bpf_link* link : links_) bpf_link__destroy(link);
  if (ring_) ring_buffer__free(ring_);
  if (skel_) limen_probes__destroy(skel_);
}

bool ProbeLoader::wants(Probe p) const { return wanted_.count(p) > 0; }

ProbeStatus& ProbeLoader::StatusOf(Probe p) {
  for (auto& s : status_) {
    if (s.probe == p) return s;
  }
  status_.push_back(ProbeStatus{p, ProbeState::kPending, "", "", {}, 0});
  return status_.back();
}

Status ProbeLoader::SetPidSlot(uint32_t tgid, uint32_t slot) {
  if (!skel_ || !ring_) return Status::FailedPrecondition("probes are not loaded");
  if (!skel_->rodata->trace_pids) return Status::FailedPrecondition("loaded without pid tracing");
  if (slot == 0 || slot >= LIMEN_MAX_SLOTS) return Status::InvalidArgument("slot out of range");
  if (bpf_map__update_elem(skel_->maps.pid_slots, &tgid, sizeof(tgid), &slot, sizeof(slot),
                           BPF_ANY) != 0) {
    return Status::ResourceExhausted("pid_slots: " + Errno(errno));
  }
  return Status::Ok();
}

void ProbeLoader::ClearPid(uint32_t tgid) {
  if (skel_ && ring_) bpf_map__delete_elem(skel_->maps.pid_slots, &tgid, sizeof(tgid), 0);
}

Status ProbeLoader::SetCgroupSlot(uint64_t cgroup_id, bool v1, uint32_t slot) {
  if (!skel_ || !ring_) return Status::FailedPrecondition("probes are not loaded");
  if (slot == 0 || slot >= LIMEN_MAX_SLOTS) return Status::InvalidArgument("slot out of range");
  bpf_map* map = v1 ? skel_->maps.cgroup_v1_slots : skel_->maps.cgroup_slots;
  if (bpf_map__update_elem(map, &cgroup_id, sizeof(cgroup_id), &slot, sizeof(slot), BPF_ANY) != 0) {
    return Status::ResourceExhausted("cgroup_slots: " + Errno(errno));
  }
  return Status::Ok();
}

void ProbeLoader::ClearCgroup(uint64_t cgroup_id, bool v1) {
  if (skel_ && ring_) {
    bpf_map* map = v1 ? skel_->maps.cgroup_v1_slots : skel_->maps.cgroup_slots;
    bpf_map__delete_elem(map, &cgroup_id, sizeof(cgroup_id), 0);
  }
}

std::map<uint32_t, uint32_t> ProbeLoader::TracedPids() const {
  std::map<uint32_t, uint32_t> out;
  if (!skel_ || !ring_) return out;
  bpf_map* map = skel_->maps.pid_slots;
  uint32_t key = 0, next = 0, slot = 0;
  const void* prev = nullptr;
  while (bpf_map__get_next_key(map, prev, &next, sizeof(next)) == 0) {
    if (bpf_map__lookup_elem(map, &next, sizeof(next), &slot, sizeof(slot), 0) == 0) {
      out[next] = slot;
    }
    key = next;
    prev = &key;
    if (out.size() > LIMEN_MAX_PIDS) break;  // a map mutating under us cannot loop forever
  }
  return out;
}

void ProbeLoader::ResetSlotCounters(uint32_t slot) {
  if (!skel_ || !ring_ || slot >= LIMEN_MAX_SLOTS) return;
  std::vector<limen_counters> zero(static_cast<size_t>(ncpus_), limen_counters{});
  for (uint32_t p = 0; p < LIMEN_PROBE_COUNT; ++p) {
    uint32_t key = slot * LIMEN_PROBE_COUNT + p;
    bpf_map__update_elem(skel_->maps.counters, &key, sizeof(key), zero.data(),
                         zero.size() * sizeof(limen_counters), BPF_ANY);
  }
}

std::array<EventCounts, kProbeCount> ProbeLoader::ReadCounters(uint32_t slot) const {
  std::array<EventCounts, kProbeCount> out{};
  if (!skel_ || !ring_ || slot >= LIMEN_MAX_SLOTS) return out;
  std::vector<limen_counters> values(static_cast<size_t>(ncpus_));
  for (uint32_t p = 0; p < LIMEN_PROBE_COUNT; ++p) {
    uint32_t key = slot * LIMEN_PROBE_COUNT + p;
    if (bpf_map__lookup_elem(skel_->maps.counters, &key, sizeof(key), values.data(),
                             values.size() * sizeof(limen_counters), 0) != 0) {
      continue;
    }
    for (const auto& v : values) out[p] += EventCounts{v.hits, v.delivered, v.dropped};
  }
  return out;
}

StatusOr<int> ProbeLoader::Poll(int timeout_ms, const EventFn& fn) {
  if (!ring_) return Status::FailedPrecondition("probes are not loaded");
  poll_fn_ = &fn;
  int n = ring_buffer__poll(ring_, timeout_ms);
  // Producers submit without a wake-up below wakeup_bytes, so epoll may report nothing
  // while records wait: always drain after the wait.
  int m = n < 0 && n != -EINTR ? 0 : ring_buffer__consume(ring_);
  poll_fn_ = nullptr;
  if (n < 0 && n != -EINTR) return Status::Unavailable("ring_buffer__poll: " + Errno(n));
  if (m < 0) return Status::Unavailable("ring_buffer__consume: " + Errno(m));
  return m;
}

void ProbeLoader::UpdateGoStatus(Probe p, const Status& s) {
  ProbeStatus& st = StatusOf(p);
  if (s.ok()) {
    if (st.state != ProbeState::kAttached) st.attached_at = std::chrono::system_clock::now();
    st.state = ProbeState::kAttached;
    st.error.clear();
    ++st.binaries;
  } else if (st.state != ProbeState::kAttached) {
    st.state = ProbeState::kFailed;
    st.error = s.message();
  } else {
    spdlog::warn("{}: {}", ProbeName(p), s.message());
  }
}

Status ProbeLoader::AttachGoBinary(const std::string& path, const BinaryKey& key) {
  if (!skel_ || !ring_) return Status::FailedPrecondition("probes are not loaded");
  if (auto it = binaries_.find(key); it != binaries_.end()) {
    ++it->second.refs;
    return Status::Ok();
  }
  if (non_go_.count(key)) return Status::NotFound(path + ": not a Go binary");
  auto elf = ElfFile::Open(path);
  if (!elf.ok()) return elf.status();
  auto info = InspectGoBinary(*elf);
  if (!info) {
    non_go_.insert(key);
    return Status::NotFound(path + ": not a Go binary");
  }
  std::optional<GoPclntab> pcln;
  if (info->stripped) {
    auto parsed = GoPclntab::Parse(*elf);
    if (!parsed.ok()) return parsed.status().WithContext(path);
    pcln = std::move(*parsed);
  }
  auto chan_mask = GoChanWaitReasonMask(info->version);
  BinaryLinks b;
  std::map<Probe, Status> per_probe;
  for (const auto& g : GoTable(skel_)) {
    if (!wants(g.probe) || !bpf_program__autoload(g.prog)) continue;
    if (per_probe.count(g.probe) && !per_probe[g.probe].ok()) continue;
    Status s;
    if (g.probe == Probe::kGoChanBlock && !chan_mask) {
      s = Status::Unimplemented("wait reasons of " + info->version + " are not known");
    }
    auto addr =
        s.ok() ? FindGoFunction(*elf, pcln ? &*pcln : nullptr, g.symbol) : StatusOr<uint64_t>(s);
    std::optional<uint64_t> offset;
    if (addr.ok()) offset = elf->FileOffsetOf(*addr + UprobeSkip(*elf, *addr));
    if (!addr.ok()) {
      s = addr.status();
    } else if (!offset) {
      s = Status::InvalidArgument(std::string(g.symbol) + " is outside the loaded segments");
    } else {
      bpf_uprobe_opts opts{};  // what LIBBPF_OPTS does, without its C extensions
      opts.sz = sizeof(opts);
      opts.bpf_cookie = chan_mask.value_or(0);
      bpf_link* link = bpf_program__attach_uprobe_opts(g.prog, -1, path.c_str(),
                                                       static_cast<size_t>(*offset), &opts);
      if (link) {
        b.links.push_back(link);
      } else {
        s = Status::Unavailable(std::string("uprobe ") + g.symbol + ": " + Errno(errno));
      }
    }
    per_probe[g.probe] = s.ok() ? Status::Ok() : s.WithContext(path);
  }
  for (const auto& [probe, s] : per_probe) {
    UpdateGoStatus(probe, s);
    if (s.ok()) b.probes.insert(probe);
  }
  b.refs = 1;
  spdlog::info("go binary {} ({}{}): {} uprobes attached", path, info->version,
               info->stripped ? ", stripped" : "", b.links.size());
  bool any = !b.links.empty();
  binaries_.emplace(key, std::move(b));
  return any ? Status::Ok() : Status::Unavailable(path + ": no Go uprobe attached");
}

void ProbeLoader::ReleaseGoBinary(const BinaryKey& key) {
  auto it = binaries_.find(key);
  if (it == binaries_.end() || --it->second.refs > 0) return;
  for (bpf_link* link : it->second.links) bpf_link__destroy(link);
  std::set<Probe> probes = std::move(it->second.probes);
  binaries_.erase(it);
  for (auto& s : status_) {
    if (!probes.count(s.probe) || s.binaries == 0) continue;
    if (--s.binaries == 0 && s.state == ProbeState::kAttached) {
      s.state = ProbeState::kPending;
      s.error = "no Go process traced";
      s.attached_at.reset();
    }
  }
}

}  // namespace limen::bpf

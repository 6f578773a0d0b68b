// The user-space view of bpf/limen_probes.h: the catalogue of probe names and the layout
// checks on the structs shared with the kernel side (as Tetragon's alignchecker does, but at
// compile time). Pure; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "limen_probes.h"

namespace limen::bpf {

static_assert(sizeof(limen_event) == 64, "limen_event layout changed: bump LIMEN_ABI_VERSION");
static_assert(offsetof(limen_event, ts_ns) == 0);
static_assert(offsetof(limen_event, probe) == 8);
static_assert(offsetof(limen_event, slot) == 12);
static_assert(offsetof(limen_event, pid) == 16);
static_assert(offsetof(limen_event, tgid) == 20);
static_assert(offsetof(limen_event, cgroup_id) == 24);
static_assert(offsetof(limen_event, arg0) == 32);
static_assert(offsetof(limen_event, arg1) == 40);
static_assert(offsetof(limen_event, arg2) == 48);
static_assert(offsetof(limen_event, comm) == 56);
static_assert(sizeof(limen_counters) == 24);
static_assert(offsetof(limen_counters, delivered) == 8);
static_assert(offsetof(limen_counters, dropped) == 16);

enum class Probe : int {
  kProcessExec = LIMEN_PROBE_PROCESS_EXEC,
  kProcessExit = LIMEN_PROBE_PROCESS_EXIT,
  kTcpSend = LIMEN_PROBE_TCP_SEND,
  kTcpRetransmit = LIMEN_PROBE_TCP_RETRANSMIT,
  kTcpState = LIMEN_PROBE_TCP_STATE,
  kGoGoroutineCreate = LIMEN_PROBE_GO_GOROUTINE_CREATE,
  kGoGoroutineExit = LIMEN_PROBE_GO_GOROUTINE_EXIT,
  kGoChanBlock = LIMEN_PROBE_GO_CHAN_BLOCK,
};
inline constexpr int kProbeCount = LIMEN_PROBE_COUNT;

// Catalogue names, indexed by Probe (DESIGN.md, ObservabilityPolicy.spec.probes).
inline constexpr std::array<std::string_view, kProbeCount> kProbeNames = {
    "process.exec", "process.exit",        "tcp.send",          "tcp.retransmit",
    "tcp.state",    "go.goroutine.create", "go.goroutine.exit", "go.chan.block"};

constexpr std::string_view ProbeName(Probe p) { return kProbeNames[static_cast<size_t>(p)]; }

constexpr std::optional<Probe> ProbeFromName(std::string_view name) {
  for (size_t i = 0; i < kProbeNames.size(); ++i) {
    if (kProbeNames[i] == name) return static_cast<Probe>(i);
  }
  return std::nullopt;
}

constexpr bool IsGoProbe(Probe p) {
  return p == Probe::kGoGoroutineCreate || p == Probe::kGoGoroutineExit || p == Probe::kGoChanBlock;
}

}  // namespace limen::bpf

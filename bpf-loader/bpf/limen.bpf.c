// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Limen's probe catalogue: one CO-RE object whose programs the loader autoloads per
 * kernel feature (tp_btf preferred: its arguments are BTF-typed, so the programs read the
 * socket and task with plain loads instead of probe-read helpers; then raw_tp, and tracefs
 * tracepoints as the last fallback; uprobes for the Go runtime).
 * Every program follows the same path:
 *   1. attribute the current process (or the socket) to a pod slot through the filter maps
 *      that user space maintains — nothing is traced outside them;
 *   2. count a hit in the per-CPU counters of (slot, probe);
 *   3. reserve a ring-buffer record; a failed reservation is counted as dropped (the
 *      coverage source), a successful one as delivered.
 * Layouts shared with user space live in limen_probes.h. */
// vmlinux.h must come first: the libbpf headers use its kernel types.
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "limen_core_fixes.bpf.h"
#include "limen_probes.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Settings, fixed before load. */
/* Whether pid_slots is used at all (standalone --pid targets): without it, the pid filter
 * is never looked up and fork tracking is not loaded. A constant, not a global variable:
 * .bss lives in a vmalloc'd, mmapable page, whose load costs an event that finds its cache
 * and TLB cold (exec, exit, timers) a miss of its own. */
const volatile bool trace_pids = true;
const volatile bool match_cgroup_v1 = false;    /* also match the v1 memory cgroup id */
const volatile __u64 wakeup_bytes = 256 * 1024; /* wake the consumer past this backlog */

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, LIMEN_DEFAULT_RINGBUF_BYTES);
} events SEC(".maps");

/* Filter maps: tgid → slot, cgroup id → slot. Written by user space only, except that a
 * fork of a traced pid adds the child and an exit removes it. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, LIMEN_MAX_PIDS);
  __type(key, __u32);
  __type(value, __u32);
} pid_slots SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, LIMEN_MAX_CGROUPS);
  __type(key, __u64);
  __type(value, __u32);
} cgroup_slots SEC(".maps");

/* v1 memory cgroup ids live in a map of their own: kernfs ids are per hierarchy, so a v1
 * id can equal an unrelated v2 id. */
struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, LIMEN_MAX_CGROUPS);
  __type(key, __u64);
  __type(value, __u32);
} cgroup_v1_slots SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
  __uint(max_entries, LIMEN_MAX_COUNTERS);
  __type(key, __u32);
  __type(value, struct limen_counters);
} counters SEC(".maps");

/* Socket → slot, learnt in process context, so that TCP events fired from softirq
 * (retransmit timers, handshakes) are still attributed to the socket's pod. */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, LIMEN_MAX_SOCKS);
  __type(key, __u64);
  __type(value, __u32);
} sock_slots SEC(".maps");

struct parked_goroutine {
  __u64 ts_ns;
  __u32 reason;
  __u32 slot;
};

/* g pointer → when and why it parked on a channel (LRU: a goroutine that never wakes must
 * not pin an entry forever). */
struct {
  __uint(type, BPF_MAP_TYPE_LRU_HASH);
  __uint(max_entries, LIMEN_MAX_PARKED);
  __type(key, __u64);
  __type(value, struct parked_goroutine);
} parked SEC(".maps");

static __always_inline __u64 current_cgroup_v1_id(void) {
  struct task_struct* task = (struct task_struct*)bpf_get_current_task();
  int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
  struct css_set* cgroups = BPF_CORE_READ(task, cgroups);
  struct cgroup_subsys_state* css = NULL;

  /* subsys[] is indexed by a CO-RE-relocated enum value, so read it by address. */
  bpf_core_read(&css, sizeof(css), &cgroups->subsys[id]);
  if (!css) return 0;
  return BPF_CORE_READ(css, cgroup, kn, id);
}

/* The slot of the current process, or 0 when it is not traced; *by_cgroup tells whether
 * the v2 cgroup matched (then the process's sockets carry that cgroup too). */
static __always_inline __u32 current_slot_of(bool* by_cgroup) {
  __u32 tgid, *slot;
  __u64 cgid;

  *by_cgroup = false;
  if (trace_pids) {
    tgid = bpf_get_current_pid_tgid() >> 32;
    slot = bpf_map_lookup_elem(&pid_slots, &tgid);
    if (slot) return *slot;
  }
  cgid = bpf_get_current_cgroup_id();
  slot = bpf_map_lookup_elem(&cgroup_slots, &cgid);
  if (slot) {
    *by_cgroup = true;
    return *slot;
  }
  if (match_cgroup_v1) {
    cgid = current_cgroup_v1_id();
    slot = bpf_map_lookup_elem(&cgroup_v1_slots, &cgid);
    if (slot) return *slot;
  }
  return 0;
}

static __always_inline __u32 current_slot(void) {
  bool by_cgroup;

  return current_slot_of(&by_cgroup);
}

/* The slot of a socket: the cgroup (v2) that created the socket, which the kernel keeps in
 * sk_cgrp_data, else what its process-context events learnt (sockets of pids or v1 cgroups
 * traced) — so a retransmit fired from a timer is attributed even when no other TCP probe
 * saw the socket before. *in_map tells whether sock_slots holds the socket (only then is
 * there an entry to delete at close). */
static __always_inline __u32 sock_slot(const struct sock* sk, bool direct, bool* in_map) {
  __u64 key = (__u64)sk, cgid;
  __u32* slot;

  *in_map = false;
  if (bpf_core_field_exists(sk->sk_cgrp_data.cgroup)) { /* before 5.15: a union */
    cgid =
        direct ? sk->sk_cgrp_data.cgroup->kn->id : BPF_CORE_READ(sk, sk_cgrp_data.cgroup, kn, id);
    slot = bpf_map_lookup_elem(&cgroup_slots, &cgid);
    if (slot) return *slot;
  }
  slot = bpf_map_lookup_elem(&sock_slots, &key);
  *in_map = slot != NULL;
  return slot ? *slot : 0;
}

/* Looks before writing: an LRU update allocates and frees a node under a lock, several
 * times a lookup, and a busy socket would repeat it on every send. */
static __always_inline void remember_sock(const void* sk, __u32 slot) {
  __u64 key = (__u64)sk;
  __u32* known = bpf_map_lookup_elem(&sock_slots, &key);

  if (!known || *known != slot) bpf_map_update_elem(&sock_slots, &key, &slot, BPF_ANY);
}

/* Counts a hit and reserves a record; NULL (counted as dropped) when the ring is full.
 * Only the probes whose consumers need a time stamp (stamp) read the clock; comm and the
 * cgroup id are left zero: the slot already names the pod (see limen_probes.h).
 *
 * Plain increments, no atomics: the key is per CPU and per probe, and a program never
 * interrupts itself on a CPU (tracepoint and uprobe programs run under bpf_prog_active,
 * raw_tp / tp_btf ones under a per-program recursion guard since Linux 6.2), so nothing
 * else writes the same counter between the load and the store. (Before 6.2 a softirq
 * could nest a raw_tp program into itself and lose one count: rare, and only there.) */
static __always_inline struct limen_event* reserve(__u32 probe, __u32 slot, bool stamp) {
  __u32 key = slot * LIMEN_PROBE_COUNT + probe;
  struct limen_counters* c = bpf_map_lookup_elem(&counters, &key);
  struct limen_event* e;
  __u64 id;

  if (!c) return NULL;
  c->hits++;
  e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) {
    c->dropped++;
    return NULL;
  }
  c->delivered++;
  id = bpf_get_current_pid_tgid();
  e->ts_ns = stamp ? bpf_ktime_get_ns() : 0;
  e->probe = probe;
  e->slot = slot;
  e->pid = (__u32)id;
  e->tgid = id >> 32;
  e->cgroup_id = 0;
  e->arg0 = e->arg1 = e->arg2 = 0;
  __builtin_memset(e->comm, 0, sizeof(e->comm));
  return e;
}

/* Submits without waking the consumer until a backlog builds: a wake-up per event would
 * cost more than the event (the consumer also polls on a timeout). */
static __always_inline void submit(struct limen_event* e) {
  __u64 flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes ? BPF_RB_FORCE_WAKEUP
                                                                              : BPF_RB_NO_WAKEUP;

  bpf_ringbuf_submit(e, flags);
}

/* ---- process.exec / process.exit (sched tracepoints) ---- */

static __always_inline int on_exec(void) {
  __u32 slot = current_slot();
  struct limen_event* e;

  if (!slot) return 0;
  e = reserve(LIMEN_PROBE_PROCESS_EXEC, slot, true);
  if (e) submit(e);
  return 0;
}

/* task is the exiting (current) task; direct: it is BTF-typed (tp_btf), so read it with a
 * plain load (a constant per caller: the other branch is compiled out). */
static __always_inline int on_exit(const struct task_struct* task, bool direct) {
  __u64 id = bpf_get_current_pid_tgid();
  __u32 tgid = id >> 32, slot;
  struct limen_event* e;
  int code;

  if ((__u32)id != tgid) /* a thread, not the process */
    return 0;
  slot = current_slot();
  if (!slot) return 0;
  code = direct ? task->exit_code : BPF_CORE_READ(task, exit_code);
  e = reserve(LIMEN_PROBE_PROCESS_EXIT, slot, false);
  if (e) {
    e->arg0 = (code >> 8) & 0xff;
    e->arg1 = code & 0x7f;
    submit(e);
  }
  if (trace_pids) bpf_map_delete_elem(&pid_slots, &tgid);
  return 0;
}

/* Follows forks of traced pids (standalone --pid mode): children belong to the same pod. */
static __always_inline int on_fork(__u32 child_tgid) {
  __u32 tgid, *slot;

  if (!trace_pids) return 0;
  tgid = bpf_get_current_pid_tgid() >> 32;
  slot = bpf_map_lookup_elem(&pid_slots, &tgid);
  if (slot && child_tgid != tgid) bpf_map_update_elem(&pid_slots, &child_tgid, slot, BPF_NOEXIST);
  return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(btf_exec, struct task_struct* p, pid_t old_pid, struct linux_binprm* bprm) {
  return on_exec();
}

SEC("raw_tp/sched_process_exec")
int BPF_PROG(raw_exec, struct task_struct* p, pid_t old_pid, struct linux_binprm* bprm) {
  return on_exec();
}

SEC("tracepoint/sched/sched_process_exec")
int tp_exec(struct trace_event_raw_sched_process_exec* ctx) { return on_exec(); }

SEC("tp_btf/sched_process_exit")
int BPF_PROG(btf_exit, struct task_struct* p) { return on_exit(p, true); }

SEC("raw_tp/sched_process_exit")
int BPF_PROG(raw_exit, struct task_struct* p) { return on_exit(p, false); }

SEC("tracepoint/sched/sched_process_exit")
int tp_exit(void* ctx) { return on_exit((const struct task_struct*)bpf_get_current_task(), false); }

SEC("tp_btf/sched_process_fork")
int BPF_PROG(btf_fork, struct task_struct* parent, struct task_struct* child) {
  return on_fork(child->tgid);
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(raw_fork, struct task_struct* parent, struct task_struct* child) {
  return on_fork(BPF_CORE_READ(child, tgid));
}

SEC("tracepoint/sched/sched_process_fork")
int tp_fork(struct trace_event_raw_sched_process_fork* ctx) {
  /* child_pid is a thread id for clone(CLONE_THREAD); such an entry is harmless. */
  return on_fork(ctx->child_pid);
}

/* ---- tcp.send (sock:sock_send_length) ---- */

static __always_inline int on_send(const void* sk, __u16 protocol, int ret) {
  __u32 slot;
  bool by_cgroup;
  struct limen_event* e;

  if (protocol != IPPROTO_TCP || ret <= 0) return 0;
  slot = current_slot_of(&by_cgroup);
  if (!slot) return 0;
  /* A socket of a traced cgroup is found by its own cgroup (sock_slot); only the others
   * are remembered, for their timer-fired events. */
  if (!by_cgroup) remember_sock(sk, slot);
  e = reserve(LIMEN_PROBE_TCP_SEND, slot, false);
  if (e) {
    e->arg0 = ret;
    submit(e);
  }
  return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(btf_send, struct sock* sk, int ret, int flags) {
  return on_send(sk, sk->sk_protocol, ret);
}

SEC("raw_tp/sock_send_length")
int BPF_PROG(raw_send, struct sock* sk, int ret, int flags) {
  return on_send(sk, BPF_CORE_READ(sk, sk_protocol), ret);
}

SEC("tracepoint/sock/sock_send_length")
int tp_send(struct trace_event_raw_sock_msg_length* ctx) {
  return on_send(ctx->sk, ctx->protocol, ctx->ret);
}

/* ---- tcp.retransmit (tcp:tcp_retransmit_skb, usually from a timer) ---- */

static __always_inline int on_retransmit(const struct sock* sk, __u16 sport, __u16 dport,
                                         bool direct) {
  bool in_map;
  __u32 slot = sock_slot(sk, direct, &in_map);
  struct limen_event* e;

  if (!slot) slot = current_slot();
  if (!slot) return 0;
  e = reserve(LIMEN_PROBE_TCP_RETRANSMIT, slot, false);
  if (e) {
    e->arg0 = (__u64)sport << 16 | dport;
    submit(e);
  }
  return 0;
}

SEC("tp_btf/tcp_retransmit_skb")
int BPF_PROG(btf_retransmit, const struct sock* sk, const struct sk_buff* skb) {
  return on_retransmit(sk, sk->__sk_common.skc_num, bpf_ntohs(sk->__sk_common.skc_dport), true);
}

SEC("raw_tp/tcp_retransmit_skb")
int BPF_PROG(raw_retransmit, const struct sock* sk, const struct sk_buff* skb) {
  __u16 sport = BPF_CORE_READ(sk, __sk_common.skc_num);
  __u16 dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));

  return on_retransmit(sk, sport, dport, false);
}

SEC("tracepoint/tcp/tcp_retransmit_skb")
int tp_retransmit(struct trace_event_raw_tcp_retransmit_skb* ctx) {
  return on_retransmit((const struct sock*)ctx->skaddr, ctx->sport, ctx->dport, false);
}

/* ---- tcp.state (sock:inet_sock_set_state); TCP_LISTEN is the startup end mark ---- */

static __always_inline int on_state(const struct sock* sk, __u16 protocol, int oldstate,
                                    int newstate, __u16 sport, __u16 dport, bool direct) {
  __u64 key = (__u64)sk;
  bool in_map;
  __u32 slot;
  struct limen_event* e;

  if (protocol != IPPROTO_TCP) return 0;
  /* Prefer the current process only for transitions it makes itself (listen, connect,
   * close); others run in softirq on behalf of whoever owns the socket. */
  slot = sock_slot(sk, direct, &in_map);
  if (!slot) {
    slot = current_slot();
    if (!slot) return 0;
    in_map = bpf_map_update_elem(&sock_slots, &key, &slot, BPF_ANY) == 0;
  }
  /* Only a listen() is timed by its consumer (the end of startup): skip the clock else. */
  e = reserve(LIMEN_PROBE_TCP_STATE, slot, newstate == TCP_LISTEN);
  if (e) {
    e->arg0 = oldstate;
    e->arg1 = newstate;
    e->arg2 = (__u64)sport << 16 | dport;
    submit(e);
  }
  if (newstate == TCP_CLOSE && in_map) bpf_map_delete_elem(&sock_slots, &key);
  return 0;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(btf_state, const struct sock* sk, const int oldstate, const int newstate) {
  return on_state(sk, sk->sk_protocol, oldstate, newstate, sk->__sk_common.skc_num,
                  bpf_ntohs(sk->__sk_common.skc_dport), true);
}

SEC("raw_tp/inet_sock_set_state")
int BPF_PROG(raw_state, const struct sock* sk, const int oldstate, const int newstate) {
  __u16 sport = BPF_CORE_READ(sk, __sk_common.skc_num);
  __u16 dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));

  return on_state(sk, BPF_CORE_READ(sk, sk_protocol), oldstate, newstate, sport, dport, false);
}

SEC("tracepoint/sock/inet_sock_set_state")
int tp_state(struct trace_event_raw_inet_sock_set_state* ctx) {
  return on_state((const struct sock*)ctx->skaddr, ctx->protocol, ctx->oldstate, ctx->newstate,
                  ctx->sport, ctx->dport, false);
}

/* ---- Go runtime uprobes (register ABI, Go >= 1.17) ---- */

SEC("uprobe")
int go_newproc1(struct pt_regs* ctx) {
  __u32 slot = current_slot();
  struct limen_event* e;

  if (!slot) return 0;
  /* newproc1(fn *funcval, ...): arg0 is the funcval pointer, a register; its entry PC
   * would take a read of user memory per hit, and no consumer reads it. */
  e = reserve(LIMEN_PROBE_GO_GOROUTINE_CREATE, slot, false);
  if (e) {
    e->arg0 = GO_PARAM1(ctx);
    submit(e);
  }
  return 0;
}

SEC("uprobe")
int go_goexit1(struct pt_regs* ctx) {
  __u32 slot = current_slot();
  struct limen_event* e;

  if (!slot) return 0;
  e = reserve(LIMEN_PROBE_GO_GOROUTINE_EXIT, slot, false);
  if (e) {
    e->arg0 = GO_G(ctx);
    submit(e);
  }
  return 0;
}

/* gopark(unlockf, lock, reason waitReason, ...): remembers channel parks only. The attach
 * cookie is the bit mask of the binary's channel wait reasons (their values differ between
 * Go releases, so user space derives the mask from the binary's Go version). */
SEC("uprobe")
int go_gopark(struct pt_regs* ctx) {
  __u64 mask = bpf_get_attach_cookie(ctx);
  __u32 reason = GO_PARAM3(ctx) & 0xff;
  struct parked_goroutine p = {};
  __u64 g;

  if (reason >= 64 || !(mask & (1ULL << reason))) return 0;
  p.slot = current_slot();
  if (!p.slot) return 0;
  g = GO_G(ctx);
  p.ts_ns = bpf_ktime_get_ns();
  p.reason = reason;
  bpf_map_update_elem(&parked, &g, &p, BPF_ANY);
  return 0;
}

/* ready(gp *g, ...): the wake-up of a parked goroutine ends its block. */
SEC("uprobe")
int go_ready(struct pt_regs* ctx) {
  __u64 g = GO_PARAM1(ctx);
  struct parked_goroutine* p = bpf_map_lookup_elem(&parked, &g);
  struct limen_event* e;

  if (!p) return 0;
  e = reserve(LIMEN_PROBE_GO_CHAN_BLOCK, p->slot, false);
  if (e) {
    e->arg0 = bpf_ktime_get_ns() - p->ts_ns;
    e->arg1 = p->reason;
    submit(e);
  }
  bpf_map_delete_elem(&parked, &g);
  return 0;
}

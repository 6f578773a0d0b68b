/* The contract between limen.bpf.c and the C++ loader: probe and event numbering, the
 * ring-buffer event, the counter value, and map sizes. Fixed-width types only, no
 * pointers, explicit padding, so the layout is the same for the BPF target and x86_64 /
 * arm64 user space; the loader static_asserts sizeof/offsetof (see probe_abi.h).
 * Changing a layout means changing LIMEN_ABI_VERSION. */
#ifndef LIMEN_PROBES_H
#define LIMEN_PROBES_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define LIMEN_ABI_VERSION 1

/* Fixed map sizes (every map has a fixed max_entries). */
#define LIMEN_MAX_SLOTS 1024   /* pod slots; slot 0 is never assigned */
#define LIMEN_MAX_PIDS 16384   /* traced process ids (tgid) */
#define LIMEN_MAX_CGROUPS 4096 /* traced cgroups (v1 memory or v2 ids) */
#define LIMEN_MAX_SOCKS 65536  /* socket → slot, for softirq-context TCP events */
#define LIMEN_MAX_PARKED 65536 /* parked goroutines awaiting wake-up */
#define LIMEN_DEFAULT_RINGBUF_BYTES (4 * 1024 * 1024)

/* Catalogue probes. The counter key is slot * LIMEN_PROBE_COUNT + probe. */
enum limen_probe {
  LIMEN_PROBE_PROCESS_EXEC = 0,
  LIMEN_PROBE_PROCESS_EXIT = 1,
  LIMEN_PROBE_TCP_SEND = 2,
  LIMEN_PROBE_TCP_RETRANSMIT = 3,
  LIMEN_PROBE_TCP_STATE = 4,
  LIMEN_PROBE_GO_GOROUTINE_CREATE = 5,
  LIMEN_PROBE_GO_GOROUTINE_EXIT = 6,
  LIMEN_PROBE_GO_CHAN_BLOCK = 7,
  LIMEN_PROBE_COUNT = 8,
};

#define LIMEN_MAX_COUNTERS (LIMEN_MAX_SLOTS * LIMEN_PROBE_COUNT)

/* One ring-buffer record (64 bytes). Meaning of arg0..arg2 per probe:
 *   process.exec        arg0 = 0
 *   process.exit        arg0 = exit code (status >> 8), arg1 = signal (status & 0x7f)
 *   tcp.send            arg0 = bytes sent by one sendmsg
 *   tcp.retransmit      arg0 = sport << 16 | dport
 *   tcp.state           arg0 = oldstate, arg1 = newstate, arg2 = sport << 16 | dport
 *   go.goroutine.create arg0 = the new goroutine's *funcval (not its entry PC: no read of
 *                       user memory per hit)
 *   go.goroutine.exit   arg0 = g pointer
 *   go.chan.block       arg0 = blocked ns, arg1 = wait reason
 * The programs fill only what a consumer reads, since every helper call costs per event:
 * ts_ns is set for process.exec and for tcp.state's TCP_LISTEN (the two startup marks)
 * and 0 elsewhere; cgroup_id and comm are 0 (the slot names the pod). */
struct limen_event {
  __u64 ts_ns; /* bpf_ktime_get_ns(): CLOCK_MONOTONIC; see above for which probes */
  __u32 probe; /* enum limen_probe */
  __u32 slot;
  __u32 pid; /* thread id */
  __u32 tgid;
  __u64 cgroup_id; /* 0: not filled */
  __u64 arg0;
  __u64 arg1;
  __u64 arg2;
  char comm[8]; /* 0: not filled (kept for the layout) */
};

/* Per-CPU value of the counters map. */
struct limen_counters {
  __u64 hits;      /* probe invocations attributed to the slot */
  __u64 delivered; /* events submitted to the ring buffer */
  __u64 dropped;   /* ring-buffer reservations that failed */
};

#endif /* LIMEN_PROBES_H */

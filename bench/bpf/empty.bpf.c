// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The floor under Limen's tracepoint programs on this machine: the same tp_btf hooks as
 * bpf-loader/bpf/limen.bpf.c, with programs that return at once (empty_*) and programs that
 * only read the current cgroup's id, the least a filter by pod needs (cgid_*). bench.py
 * attaches one kind at a time (libbpf) with BPF statistics on and runs the probes'
 * workloads: their run time per event is what the kernel's dispatch of such a program costs
 * there, with whatever caches the workload left cold. */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

/* The helper is an opaque call, so it is not optimised away; nothing is stored (a global
 * lives in a page of its own, which would add a miss of its own). */
#define CGID_PROGRAM(name, hook) \
  SEC("tp_btf/" hook)            \
  int cgid_##name(void* ctx) { return bpf_get_current_cgroup_id() == 0; }

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sched_process_exec")
int empty_exec(void* ctx) { return 0; }

SEC("tp_btf/sched_process_exit")
int empty_exit(void* ctx) { return 0; }

SEC("tp_btf/sock_send_length")
int empty_send(void* ctx) { return 0; }

SEC("tp_btf/inet_sock_set_state")
int empty_state(void* ctx) { return 0; }

SEC("tp_btf/tcp_retransmit_skb")
int empty_retransmit(void* ctx) { return 0; }

CGID_PROGRAM(exec, "sched_process_exec")
CGID_PROGRAM(exit, "sched_process_exit")
CGID_PROGRAM(send, "sock_send_length")
CGID_PROGRAM(state, "inet_sock_set_state")
CGID_PROGRAM(retransmit, "tcp_retransmit_skb")

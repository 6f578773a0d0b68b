// Folding ring-buffer events into a container's Measurements. Pure: the kernel-side
// meaning of each event's args is documented in bpf/limen_probes.h.
//
// Thread-safety: none; the caller owns the Measurements.
#pragma once

#include "limen/bpf/report.h"
#include "limen_probes.h"

namespace limen::bpf {

inline constexpr uint64_t kTcpListen = 10;  // include/net/tcp_states.h TCP_LISTEN

// Applies one event. Returns false for an event that cannot be interpreted (an unknown
// probe number): counted by the caller as malformed, never fatal.
bool ApplyEvent(const limen_event& e, Measurements& m);

// The bucket index of a chan block duration in kChanBlockBuckets (+Inf is the last).
size_t ChanBlockBucket(double seconds);

}  // namespace limen::bpf

#include "limen/bpf/aggregator.h"

namespace limen::bpf {

size_t ChanBlockBucket(double seconds) {
  for (size_t i = 0; i < kChanBlockBuckets.size(); ++i) {
    if (seconds <= kChanBlockBuckets[i]) return i;
  }
  return kChanBlockBuckets.size();
}

bool ApplyEvent(const limen_event& e, Measurements& m) {
  if (e.probe >= LIMEN_PROBE_COUNT) return false;
  ++m.events_received;
  switch (static_cast<Probe>(e.probe)) {
    case Probe::kProcessExec:
      if (!m.first_exec_ns || e.ts_ns < *m.first_exec_ns) m.first_exec_ns = e.ts_ns;
      break;
    case Probe::kProcessExit: {
      int code = e.arg1 != 0 ? 128 + static_cast<int>(e.arg1) : static_cast<int>(e.arg0);
      ++m.exits_by_code[code];
      break;
    }
    case Probe::kTcpSend: m.tcp_bytes_sent += e.arg0; break;
    case Probe::kTcpRetransmit: ++m.tcp_retransmits; break;
    case Probe::kTcpState:
      // The first listen() after the first exec ends startup; a listen seen without an
      // exec (the agent started late) cannot start a measurement.
      if (e.arg1 == kTcpListen && m.first_exec_ns && e.ts_ns >= *m.first_exec_ns &&
          !m.first_listen_ns) {
        m.first_listen_ns = e.ts_ns;
      }
      break;
    case Probe::kGoGoroutineCreate: ++m.goroutines_created; break;
    case Probe::kGoGoroutineExit: ++m.goroutines_exited; break;
    case Probe::kGoChanBlock: {
      double seconds = static_cast<double>(e.arg0) / 1e9;
      ++m.chan_block_buckets[ChanBlockBucket(seconds)];
      m.chan_block_seconds_sum += seconds;
      break;
    }
  }
  return true;
}

}  // namespace limen::bpf

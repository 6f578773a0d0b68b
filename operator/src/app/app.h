// The limen-operator process: configuration → client → informers → controllers, under
// leader election, with /metrics, /healthz and /readyz.
//
// Lifecycle:
//   1. serve /healthz (liveness) at once and /readyz (ready once every informer synced);
//   2. start the informers (every replica keeps them warm, so a follower that becomes leader
//      starts with a full cache) and wait for them to sync;
//   3. contend for the Lease (unless leader election is off); the leader starts the
//      controllers — only the leader writes;
//   4. on SIGTERM/SIGINT: stop the controllers (in-flight reconciles finish), release the
//      Lease, flush Events, stop informers and the server; exit 0. A leader that loses its
//      Lease exits 1 after the same steps (the Deployment restarts it as a follower), as
//      controller-runtime does, rather than run on with half-stopped controllers.
//
// Thread-safety: Run() on the main thread; Shutdown() from any thread (it is what the
// signal thread calls).
#pragma once

#include "config/config.h"

namespace limen::op {

// Blocks until shutdown; returns the process exit code.
int RunOperator(const OperatorConfig& config);

}  // namespace limen::op

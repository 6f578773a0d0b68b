// LeaderElector: leader election on a coordination.k8s.io/v1 Lease (client-go's
// tools/leaderelection/leaderelection.go + resourcelock/leaselock.go).
//
// Flow:
//   1. Acquire: every retry_period (jittered ×1.2), TryAcquireOrRenew() until it succeeds.
//      A Lease held by someone else can be taken only once it has not changed for its
//      leaseDurationSeconds as observed on *our* monotonic clock (clocks of different
//      machines are never compared).
//   2. Lead: on_started_leading(); then renew every retry_period. If no renewal succeeds
//      within renew_deadline of the last good one, stop leading: on_stopped_leading().
//   3. Release on clean shutdown (Stop() while leading, release_on_cancel): write the Lease
//      with an empty holderIdentity and leaseDurationSeconds 1 so another candidate takes
//      over at once instead of after a lease duration.
//
// Guarantees: writes are Updates carrying the resourceVersion that was read — the
// apiserver rejects (409) a write based on a stale read, so two candidates can never both
// believe their write won. Caveat (as in client-go): a leader that stops renewing still
// believes it leads until renew_deadline passes, while others wait lease_duration; keep
// lease_duration > renew_deadline (validated) so they never overlap, clock rates permitting.
//
// Thread-safety: Run() blocks on the calling thread and calls the callbacks there (they
// must return promptly: start/stop your controllers and return). Stop(), IsLeader() and
// GetLeader() are safe from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "limen/base/status.h"
#include "limen/kube/client.h"
#include "limen/kube/clock.h"

namespace limen::kube {

struct LeaderElectionConfig {
  std::string lease_namespace;
  std::string lease_name;
  std::string identity;  // unique per candidate, e.g. the pod name + a random suffix
  std::chrono::milliseconds lease_duration{15000};
  std::chrono::milliseconds renew_deadline{10000};
  std::chrono::milliseconds retry_period{2000};
  bool release_on_cancel = true;

  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
  std::function<void(const std::string& identity)> on_new_leader;  // any change, incl. us
};

// lease_duration > renew_deadline > 1.2 × retry_period (the jitter factor), all > 0, a
// lease name, namespace and identity: otherwise an InvalidArgument naming the rule.
Status ValidateLeaderElectionConfig(const LeaderElectionConfig& config);

// The Lease spec fields the elector reads and writes.
struct LeaderElectionRecord {
  std::string holder_identity;
  int64_t lease_duration_seconds = 0;
  std::string acquire_time;  // MicroTime
  std::string renew_time;    // MicroTime
  int64_t lease_transitions = 0;
  friend bool operator==(const LeaderElectionRecord&, const LeaderElectionRecord&) = default;
};
LeaderElectionRecord RecordFromLease(const Object& lease);
Object LeaseSpecFromRecord(const LeaderElectionRecord& record);

class LeaderElector {
 public:
  // Validates the config; the client and clock must outlive the elector.
  static StatusOr<std::unique_ptr<LeaderElector>> Create(Client& client,
                                                         LeaderElectionConfig config,
                                                         Clock& clock = RealClock::Instance());
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Acquires, leads, renews, until Stop() or the lease is lost. Returns after
  // on_stopped_leading (if it led). One Run per elector.
  void Run();
  void Stop();

  bool IsLeader() const { return leading_.load(); }
  std::string GetLeader() const;

  // One attempt (what Run does every retry period): reads the Lease, creates or takes it
  // over if free or expired, renews it if ours. True if we hold it afterwards.
  bool TryAcquireOrRenew();
  // Gives the Lease up if we hold it (release_on_cancel). True if released.
  bool Release();

 private:
  LeaderElector(Client& client, LeaderElectionConfig config, Clock& clock);
  bool Acquire();
  void RenewLoop();
  void ObserveRecord(const LeaderElectionRecord& record, const std::string& resource_version);
  Object LeaseObject(const LeaderElectionRecord& record) const;
  Clock::Duration Jittered(Clock::Duration d) const;

  // Constant after construction.
  Client& client_;
  const LeaderElectionConfig config_;
  Clock& clock_;

  std::atomic<bool> stopped_{false};
  std::atomic<bool> leading_{false};

  mutable std::mutex mu_;
  // What we last read or wrote, and when (our monotonic clock) it last changed.
  std::optional<LeaderElectionRecord> observed_;  // guarded by mu_
  std::string observed_rv_;                       // guarded by mu_
  Clock::MonoTime observed_time_{};               // guarded by mu_
  std::string reported_leader_;                   // guarded by mu_
};

}  // namespace limen::kube

#include "limen/kube/leader_election.h"

#include <spdlog/spdlog.h>

#include <random>

#include "limen/kube/time_format.h"
#include "stoppable_sleep.h"

namespace limen::kube {
namespace {

// client-go's JitterFactor for the acquire loop: waits are retry × [1, 2.2).
constexpr double kJitterFactor = 1.2;

std::string StringField(const Object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : "";
}

int64_t IntField(const Object& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::string ResourceVersion(const Object& obj) {
  auto meta = obj.find("metadata");
  return meta != obj.end() && meta->is_object() ? StringField(*meta, "resourceVersion") : "";
}

}  // namespace

Status ValidateLeaderElectionConfig(const LeaderElectionConfig& c) {
  using std::chrono::milliseconds;
  if (c.lease_name.empty())
    return Status::InvalidArgument("leader election: lease name is required");
  if (c.lease_namespace.empty())
    return Status::InvalidArgument("leader election: lease namespace is required");
  if (c.identity.empty()) return Status::InvalidArgument("leader election: identity is required");
  if (c.lease_duration <= milliseconds::zero() || c.renew_deadline <= milliseconds::zero() ||
      c.retry_period <= milliseconds::zero()) {
    return Status::InvalidArgument(
        "leader election: lease duration, renew deadline and retry period must be > 0");
  }
  if (c.lease_duration <= c.renew_deadline) {
    return Status::InvalidArgument("leader election: lease duration (" +
                                   std::to_string(c.lease_duration.count()) +
                                   " ms) must be greater than renew deadline (" +
                                   std::to_string(c.renew_deadline.count()) + " ms)");
  }
  const double min_deadline = kJitterFactor * static_cast<double>(c.retry_period.count());
  if (static_cast<double>(c.renew_deadline.count()) <= min_deadline) {
    return Status::InvalidArgument("leader election: renew deadline (" +
                                   std::to_string(c.renew_deadline.count()) +
                                   " ms) must be greater than 1.2 × retry period (" +
                                   std::to_string(c.retry_period.count()) + " ms)");
  }
  if (c.lease_duration < std::chrono::seconds(1)) {
    return Status::InvalidArgument(
        "leader election: lease duration must be at least 1 s (leaseDurationSeconds)");
  }
  return Status::Ok();
}

LeaderElectionRecord RecordFromLease(const Object& lease) {
  LeaderElectionRecord r;
  auto spec = lease.find("spec");
  if (spec == lease.end() || !spec->is_object()) return r;
  r.holder_identity = StringField(*spec, "holderIdentity");
  r.lease_duration_seconds = IntField(*spec, "leaseDurationSeconds");
  r.acquire_time = StringField(*spec, "acquireTime");
  r.renew_time = StringField(*spec, "renewTime");
  r.lease_transitions = IntField(*spec, "leaseTransitions");
  return r;
}

Object LeaseSpecFromRecord(const LeaderElectionRecord& r) {
  return {{"holderIdentity", r.holder_identity},
          {"leaseDurationSeconds", r.lease_duration_seconds},
          {"acquireTime", r.acquire_time},
          {"renewTime", r.renew_time},
          {"leaseTransitions", r.lease_transitions}};
}

StatusOr<std::unique_ptr<LeaderElector>> LeaderElector::Create(Client& client,
                                                               LeaderElectionConfig config,
                                                               Clock& clock) {
  LIMEN_RETURN_IF_ERROR(ValidateLeaderElectionConfig(config));
  return std::unique_ptr<LeaderElector>(new LeaderElector(client, std::move(config), clock));
}

LeaderElector::LeaderElector(Client& client, LeaderElectionConfig config, Clock& clock)
    : client_(client), config_(std::move(config)), clock_(clock) {}

std::string LeaderElector::GetLeader() const {
  std::lock_guard lock(mu_);
  return observed_ ? observed_->holder_identity : "";
}

Object LeaderElector::LeaseObject(const LeaderElectionRecord& record) const {
  Object lease = {
      {"apiVersion", "coordination.k8s.io/v1"},
      {"kind", "Lease"},
      {"metadata", {{"name", config_.lease_name}, {"namespace", config_.lease_namespace}}},
      {"spec", LeaseSpecFromRecord(record)}};
  return lease;
}

void LeaderElector::ObserveRecord(const LeaderElectionRecord& record,
                                  const std::string& resource_version) {
  std::string new_leader;
  {
    std::lock_guard lock(mu_);
    if (!observed_ || !(*observed_ == record)) {
      observed_ = record;
      observed_time_ = clock_.Monotonic();
    }
    observed_rv_ = resource_version;
    if (!record.holder_identity.empty() && record.holder_identity != reported_leader_) {
      reported_leader_ = record.holder_identity;
      new_leader = reported_leader_;
    }
  }
  if (!new_leader.empty() && config_.on_new_leader) config_.on_new_leader(new_leader);
}

bool LeaderElector::TryAcquireOrRenew() {
  const std::string now = FormatMicroTime(clock_.Now());
  LeaderElectionRecord record{
      config_.identity,
      std::chrono::duration_cast<std::chrono::seconds>(config_.lease_duration).count(), now, now,
      0};
  RequestOptions opts;
  opts.timeout = config_.renew_deadline;

  auto got = client_.Get(resources::kLeases, config_.lease_namespace, config_.lease_name, opts);
  if (!got.ok()) {
    if (!got.error().IsNotFound()) {
      spdlog::warn("leader election: reading lease {}/{}: {}", config_.lease_namespace,
                   config_.lease_name, got.error().ToString());
      return false;
    }
    auto created =
        client_.Create(resources::kLeases, config_.lease_namespace, LeaseObject(record), opts);
    if (!created.ok()) return false;
    ObserveRecord(record, ResourceVersion(*created));
    return true;
  }

  const LeaderElectionRecord old = RecordFromLease(*got);
  ObserveRecord(old, ResourceVersion(*got));
  if (!old.holder_identity.empty() && old.holder_identity != config_.identity) {
    std::lock_guard lock(mu_);
    const auto expires = observed_time_ + std::chrono::seconds(old.lease_duration_seconds);
    if (expires > clock_.Monotonic()) return false;  // held, and not expired on our clock
  }
  if (old.holder_identity == config_.identity) {
    record.acquire_time = old.acquire_time;
    record.lease_transitions = old.lease_transitions;
  } else {
    record.lease_transitions = old.lease_transitions + 1;
  }
  Object lease = *got;  // keeps metadata.resourceVersion: the optimistic-concurrency precondition
  lease["spec"] = LeaseSpecFromRecord(record);
  auto updated = client_.Update(resources::kLeases, config_.lease_namespace, lease, opts);
  if (!updated.ok()) {
    spdlog::info("leader election: writing lease {}/{}: {}", config_.lease_namespace,
                 config_.lease_name, updated.error().ToString());
    return false;
  }
  ObserveRecord(record, ResourceVersion(*updated));
  return true;
}

bool LeaderElector::Release() {
  LeaderElectionRecord record;
  std::string rv;
  {
    std::lock_guard lock(mu_);
    if (!observed_ || observed_->holder_identity != config_.identity) return false;
    rv = observed_rv_;
    const std::string now = FormatMicroTime(clock_.Now());
    // client-go's release: no holder, 1 s duration, transitions unchanged.
    record = LeaderElectionRecord{"", 1, now, now, observed_->lease_transitions};
  }
  Object lease = LeaseObject(record);
  lease["metadata"]["resourceVersion"] = rv;
  auto updated = client_.Update(resources::kLeases, config_.lease_namespace, lease);
  if (!updated.ok()) {
    spdlog::warn("leader election: releasing lease: {}", updated.error().ToString());
    return false;
  }
  ObserveRecord(record, ResourceVersion(*updated));
  return true;
}

Clock::Duration LeaderElector::Jittered(Clock::Duration d) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const double r = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  return d + std::chrono::duration_cast<Clock::Duration>(d * (r * kJitterFactor));
}

bool LeaderElector::Acquire() {
  while (!stopped_.load()) {
    if (TryAcquireOrRenew()) return true;
    if (!internal::SleepUnlessStopped(clock_, Jittered(config_.retry_period), stopped_)) break;
  }
  return false;
}

void LeaderElector::RenewLoop() {
  auto last_renew = clock_.Monotonic();
  while (internal::SleepUnlessStopped(clock_, config_.retry_period, stopped_)) {
    // Counted from when the attempt started: the write may land any time before it returns.
    const auto attempt = clock_.Monotonic();
    if (TryAcquireOrRenew()) {
      last_renew = attempt;
      continue;
    }
    if (clock_.Monotonic() - last_renew >= config_.renew_deadline) {
      spdlog::error("leader election: failed to renew lease {}/{} within {} ms; stopping leading",
                    config_.lease_namespace, config_.lease_name, config_.renew_deadline.count());
      return;
    }
  }
}

void LeaderElector::Run() {
  if (!Acquire()) return;
  spdlog::info("leader election: {} acquired lease {}/{}", config_.identity,
               config_.lease_namespace, config_.lease_name);
  leading_ = true;
  if (config_.on_started_leading) config_.on_started_leading();
  RenewLoop();
  leading_ = false;
  // Stop the work first, then release: the next leader must not overlap with us.
  if (config_.on_stopped_leading) config_.on_stopped_leading();
  if (stopped_.load() && config_.release_on_cancel) (void)Release();
}

void LeaderElector::Stop() { stopped_ = true; }

}  // namespace limen::kube

// CertManager: the webhook's own certificate authority, kept in a Secret and published to
// the webhook configurations through the Kubernetes API (lib/kube Client). Optional and
// separable: a deployment that lets cert-manager or the operator own the certificate runs
// limen-webhook with --tls-cert-file/--tls-key-file and no CertManager.
//
// One pass (SyncOnce), run by every replica:
//   1. GET the named Mutating/ValidatingWebhookConfigurations (their current caBundles);
//   2. GET the Secret and decide (cert_plan.h Decide — all rotation rules live there);
//   3. if the decision changes the Secret: generate, then Create (absent) or Update with the
//      resourceVersion read in 2. A replica that loses the race (409 AlreadyExists /
//      Conflict) re-reads from 1 and adopts the winner's certificates;
//   4. write tls.crt / tls.key to the serving files (atomic rename each) when they changed and
//      call on_files_written (CertReloader::Reload: it publishes only a matching pair);
//   5. patch caBundle of every webhook entry whose bundle differs from DesiredBundle (a JSON
//      Patch that `test`s the entry's name and the clientConfig read in 1, so a concurrent
//      change fails the patch instead of being overwritten).
// Why the configurations are read before the Secret: a replica whose view of the Secret is
// stale must never remove a CA another replica has just published. A CA reaches a bundle
// only after the Secret holding it was written, so a configuration read that shows it
// precedes a Secret read that includes it; and the `test` makes the patch fail if the
// bundle changed after the configuration read.
// The switch to a new CA waits until this process has seen the old+new bundle in every
// entry for propagation_delay (tracked in memory: a restart only delays the switch).
//
// Rotations are counted (AdmissionMetrics), logged (spdlog, one line per step with the
// reason) and recorded as Events on the Secret.
//
// Thread-safety: SyncOnce/Bootstrap from one thread at a time (Start runs them on its own
// thread); HasCertificate() from any thread; Stop() is idempotent.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "limen/kube/client.h"
#include "limen/kube/clock.h"
#include "limen/kube/event_recorder.h"
#include "limen/webhook/cert_plan.h"
#include "limen/webhook/metrics.h"

namespace limen::webhook {

namespace resources {
inline const kube::Resource kMutatingWebhookConfigurations{"admissionregistration.k8s.io", "v1",
                                                           "mutatingwebhookconfigurations",
                                                           "MutatingWebhookConfiguration", false};
inline const kube::Resource kValidatingWebhookConfigurations{
    "admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations",
    "ValidatingWebhookConfiguration", false};
}  // namespace resources

class CertManager {
 public:
  struct Options {
    std::string secret_namespace;
    std::string secret_name;
    std::string mutating_webhook_configuration;    // "" = none
    std::string validating_webhook_configuration;  // "" = none
    CertPolicy policy;                             // REQUIRES: ValidatePolicy(policy).ok()
    std::string cert_file;                         // where tls.crt is written
    std::string key_file;                          // where tls.key is written
    // Re-read the Secret at least this often (other replicas' rotations reach this one
    // within it). Must be well below policy.renew_before.
    std::chrono::milliseconds resync{std::chrono::seconds(30)};
    std::chrono::milliseconds retry_min{500};  // back-off after a failed pass
    std::chrono::milliseconds retry_max{std::chrono::seconds(30)};
    std::function<void()> on_files_written;  // may be empty
  };

  // `metrics` and `events` may be null.
  CertManager(kube::Client& client, Options options, AdmissionMetrics* metrics,
              kube::EventRecorder* events, kube::Clock& clock = kube::RealClock::Instance());
  ~CertManager();
  CertManager(const CertManager&) = delete;
  CertManager& operator=(const CertManager&) = delete;

  // One pass; returns when the next one is due (at most resync away).
  StatusOr<TimePoint> SyncOnce();

  // Runs passes (with back-off) until the serving files have been written once, `stop()`
  // returns true, or `timeout` passes.
  Status Bootstrap(std::chrono::milliseconds timeout, const std::function<bool()>& stop);

  void Start();  // runs passes on a thread until Stop()
  void Stop();

  bool HasCertificate() const { return has_certificate_.load(); }

 private:
  struct ConfigView {
    const kube::Resource* resource;
    std::string name;
    std::optional<kube::Object> object;  // nullopt: it does not exist
  };

  Status ReadConfigs(std::vector<ConfigView>& out);
  bool BundleCurrent(const std::vector<ConfigView>& configs, const std::string& bundle) const;
  Status PatchBundles(const std::vector<ConfigView>& configs, const std::string& bundle);
  void ObservePublished(bool published, const std::string& bundle, TimePoint now);
  Status WriteFiles(const SecretData& data);
  void Report(const CertDecision& decision, const SecretView& before, const kube::Object& secret);
  void Loop();
  void Error(std::string_view stage);

  // Constant after construction.
  kube::Client& client_;
  const Options options_;
  AdmissionMetrics* const metrics_;
  kube::EventRecorder* const events_;
  kube::Clock& clock_;

  // SyncOnce's thread only.
  std::string published_bundle_;  // the bundle last seen in every webhook entry
  std::optional<TimePoint> published_since_;
  std::string written_cert_, written_key_;
  std::vector<std::string> missing_configs_logged_;

  std::atomic<bool> has_certificate_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace limen::webhook

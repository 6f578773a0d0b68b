// The webhook's Prometheus metrics, in one place (as controller-runtime's metrics.go):
//   limen_webhook_admissions_total{webhook, operation, result, reason}
//       result: injected | skipped | untouched | allowed | denied | error
//       reason: the planner's Reason (Injected, NoPolicy, HostNetwork, ...) or a short code
//   limen_webhook_admission_duration_seconds{webhook}          histogram
//   limen_webhook_rejected_requests_total{webhook, code}       400 / 413 / 415 answers
//   limen_webhook_certificate_expiry_timestamp_seconds         NotAfter of the served cert
//   limen_webhook_certificate_reloads_total{result}            success | failure
// The certificate manager (cert_manager.h), when enabled:
//   limen_webhook_certificate_rotations_total{step}            Secret changes this replica
//       made: Bootstrap | IssueServing | StartCaRotation | SwitchCa | RetirePreviousCa |
//       DiscardNextCa (cert_plan.h Step)
//   limen_webhook_certificate_manager_errors_total{stage}      secret_read | secret_write |
//       generate | file_write | bundle_read | bundle_patch
//   limen_webhook_certificate_secret_conflicts_total           writes lost to another replica
//   limen_webhook_ca_bundle_patches_total                      caBundle patches sent
//   limen_webhook_ca_expiry_timestamp_seconds                  NotAfter of the active CA
//   limen_webhook_ca_bundle_certificates                       CAs in the desired caBundle
// Series the dashboards rely on are created at 0.
//
// Thread-safety: prometheus-cpp metrics are thread-safe; families are created in the
// constructor only.
#pragma once

#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace limen::webhook {

class AdmissionMetrics {
 public:
  explicit AdmissionMetrics(prometheus::Registry& registry);

  void CountAdmission(std::string_view webhook, std::string_view operation, std::string_view result,
                      std::string_view reason);
  void ObserveLatency(std::string_view webhook, double seconds);
  void CountRejected(std::string_view webhook, int code);
  void SetCertificateExpiry(double unix_seconds);
  void CountCertificateReload(bool ok);
  void CountRotation(std::string_view step);
  void CountCertManagerError(std::string_view stage);
  void CountSecretConflict() { secret_conflicts_.Increment(); }
  void CountBundlePatch() { bundle_patches_.Increment(); }
  void SetCaExpiry(double unix_seconds) { ca_expiry_.Set(unix_seconds); }
  void SetBundleSize(int cas) { bundle_size_.Set(cas); }

 private:
  prometheus::Family<prometheus::Counter>& admissions_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Gauge& cert_expiry_;
  prometheus::Family<prometheus::Counter>& cert_reloads_;
  prometheus::Family<prometheus::Counter>& rotations_;
  prometheus::Family<prometheus::Counter>& cert_manager_errors_;
  prometheus::Counter& secret_conflicts_;
  prometheus::Counter& bundle_patches_;
  prometheus::Gauge& ca_expiry_;
  prometheus::Gauge& bundle_size_;
};

}  // namespace limen::webhook

// The webhook's Prometheus metrics, in one place (as controller-runtime's metrics.go):
//   limen_webhook_admissions_total{webhook, operation, result, reason}
//       result: injected | skipped | untouched | allowed | denied | error
//       reason: the planner's Reason (Injected, NoPolicy, HostNetwork, ...) or a short code
//   limen_webhook_admission_duration_seconds{webhook}          histogram
//   limen_webhook_rejected_requests_total{webhook, code}       400 / 413 / 415 answers
//   limen_webhook_certificate_expiry_timestamp_seconds         NotAfter of the served cert
//   limen_webhook_certificate_reloads_total{result}            success | failure
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

 private:
  prometheus::Family<prometheus::Counter>& admissions_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Counter>& rejected_;
  prometheus::Gauge& cert_expiry_;
  prometheus::Family<prometheus::Counter>& cert_reloads_;
};

}  // namespace limen::webhook

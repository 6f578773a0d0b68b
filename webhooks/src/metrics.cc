#include "limen/webhook/metrics.h"

#include "limen/webhook/planner.h"

namespace limen::webhook {

namespace {
// 100 µs .. ~3 s: admission must stay well under the webhook's timeoutSeconds.
prometheus::Histogram::BucketBoundaries LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 3};
}
}  // namespace

AdmissionMetrics::AdmissionMetrics(prometheus::Registry& registry)
    : admissions_(prometheus::BuildCounter()
                      .Name("limen_webhook_admissions_total")
                      .Help("Admission requests answered, by webhook, operation, result and reason")
                      .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("limen_webhook_admission_duration_seconds")
                   .Help("Time to answer an admission request (decode, plan, encode)")
                   .Register(registry)),
      rejected_(prometheus::BuildCounter()
                    .Name("limen_webhook_rejected_requests_total")
                    .Help("Admission HTTP requests answered with 400, 413 or 415")
                    .Register(registry)),
      cert_expiry_(prometheus::BuildGauge()
                       .Name("limen_webhook_certificate_expiry_timestamp_seconds")
                       .Help("NotAfter of the serving certificate, Unix seconds")
                       .Register(registry)
                       .Add({})),
      cert_reloads_(prometheus::BuildCounter()
                        .Name("limen_webhook_certificate_reloads_total")
                        .Help("Loads of the serving certificate from its files, by result")
                        .Register(registry)),
      rotations_(prometheus::BuildCounter()
                     .Name("limen_webhook_certificate_rotations_total")
                     .Help("Changes of the certificate Secret made by this replica, by step")
                     .Register(registry)),
      cert_manager_errors_(prometheus::BuildCounter()
                               .Name("limen_webhook_certificate_manager_errors_total")
                               .Help("Failed certificate manager operations, by stage")
                               .Register(registry)),
      secret_conflicts_(prometheus::BuildCounter()
                            .Name("limen_webhook_certificate_secret_conflicts_total")
                            .Help("Certificate Secret writes lost to another replica (re-read "
                                  "and adopted)")
                            .Register(registry)
                            .Add({})),
      bundle_patches_(prometheus::BuildCounter()
                          .Name("limen_webhook_ca_bundle_patches_total")
                          .Help("Patches of a webhook configuration's caBundle")
                          .Register(registry)
                          .Add({})),
      ca_expiry_(prometheus::BuildGauge()
                     .Name("limen_webhook_ca_expiry_timestamp_seconds")
                     .Help("NotAfter of the active webhook CA, Unix seconds")
                     .Register(registry)
                     .Add({})),
      bundle_size_(prometheus::BuildGauge()
                       .Name("limen_webhook_ca_bundle_certificates")
                       .Help("CA certificates in the caBundle the webhook configurations carry")
                       .Register(registry)
                       .Add({})) {
  for (Reason r : AllReasons()) {
    const bool injected = r == Reason::kInjected;
    admissions_.Add({{"webhook", "mutate-pods"},
                     {"operation", "CREATE"},
                     {"result", injected ? "injected" : "skipped"},
                     {"reason", std::string(ReasonName(r))}});
  }
  admissions_.Add({{"webhook", "mutate-pods"},
                   {"operation", "CREATE"},
                   {"result", "error"},
                   {"reason", "InternalError"}});
  for (const char* w : {"mutate-pods", "validate-limen"}) {
    latency_.Add({{"webhook", w}}, LatencyBuckets());
  }
  cert_reloads_.Add({{"result", "success"}});
  cert_reloads_.Add({{"result", "failure"}});
  for (const char* step : {"Bootstrap", "IssueServing", "StartCaRotation", "SwitchCa",
                           "RetirePreviousCa", "DiscardNextCa"}) {
    rotations_.Add({{"step", step}});
  }
  for (const char* stage :
       {"secret_read", "secret_write", "generate", "file_write", "bundle_read", "bundle_patch"}) {
    cert_manager_errors_.Add({{"stage", stage}});
  }
}

void AdmissionMetrics::CountRotation(std::string_view step) {
  rotations_.Add({{"step", std::string(step)}}).Increment();
}

void AdmissionMetrics::CountCertManagerError(std::string_view stage) {
  cert_manager_errors_.Add({{"stage", std::string(stage)}}).Increment();
}

void AdmissionMetrics::CountAdmission(std::string_view webhook, std::string_view operation,
                                      std::string_view result, std::string_view reason) {
  admissions_
      .Add({{"webhook", std::string(webhook)},
            {"operation", std::string(operation)},
            {"result", std::string(result)},
            {"reason", std::string(reason)}})
      .Increment();
}

void AdmissionMetrics::ObserveLatency(std::string_view webhook, double seconds) {
  latency_.Add({{"webhook", std::string(webhook)}}, LatencyBuckets()).Observe(seconds);
}

void AdmissionMetrics::CountRejected(std::string_view webhook, int code) {
  rejected_.Add({{"webhook", std::string(webhook)}, {"code", std::to_string(code)}}).Increment();
}

void AdmissionMetrics::SetCertificateExpiry(double unix_seconds) { cert_expiry_.Set(unix_seconds); }

void AdmissionMetrics::CountCertificateReload(bool ok) {
  cert_reloads_.Add({{"result", ok ? "success" : "failure"}}).Increment();
}

}  // namespace limen::webhook

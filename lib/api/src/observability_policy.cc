#include "limen/api/observability_policy.h"

#include "limen/api/duration.h"
#include "limen/api/quantity.h"

namespace limen::api {

void SetDefaults(Readiness& readiness) {
  if (!readiness.startup_millis) readiness.startup_millis = 12;
  if (!readiness.memory) readiness.memory = "3.2M";
  if (!readiness.coverage_percent) readiness.coverage_percent = 92;
  if (!readiness.required_criteria) readiness.required_criteria = 2;
  if (!readiness.sustain_for) readiness.sustain_for = "2160h";
}

void SetDefaults(ObservabilityPolicySpec& spec) {
  if (!spec.readiness) spec.readiness.emplace();
  SetDefaults(*spec.readiness);
}

void SetDefaults(ObservabilityPolicy& policy) { SetDefaults(policy.spec); }

StatusOr<ReadinessThresholds> ResolveReadiness(const std::optional<Readiness>& readiness) {
  Readiness r = readiness.value_or(Readiness{});
  SetDefaults(r);
  ReadinessThresholds out;
  out.startup = std::chrono::milliseconds(*r.startup_millis);
  auto memory = ParseQuantity(*r.memory);
  if (!memory.ok()) return memory.status().WithContext("spec.readiness.memory");
  auto bytes = memory->Value();
  if (!bytes.ok()) return bytes.status().WithContext("spec.readiness.memory");
  out.memory_bytes = *bytes;
  out.coverage_percent = *r.coverage_percent;
  out.required_criteria = *r.required_criteria;
  auto sustain = ParseDuration(*r.sustain_for);
  if (!sustain.ok()) return sustain.status().WithContext("spec.readiness.sustainFor");
  out.sustain_for = *sustain;
  return out;
}

}  // namespace limen::api

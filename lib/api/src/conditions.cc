#include "limen/api/conditions.h"

#include <algorithm>

namespace limen::api {

bool SetStatusCondition(std::vector<Condition>& conditions, Condition condition, Time now) {
  Condition* existing = FindStatusCondition(conditions, condition.type);
  if (existing == nullptr) {
    if (!condition.last_transition_time) condition.last_transition_time = TruncateToSeconds(now);
    conditions.push_back(std::move(condition));
    return true;
  }
  bool changed = false;
  if (existing->status != condition.status) {
    existing->status = condition.status;
    existing->last_transition_time =
        condition.last_transition_time ? *condition.last_transition_time : TruncateToSeconds(now);
    changed = true;
  }
  if (existing->reason != condition.reason) {
    existing->reason = std::move(condition.reason);
    changed = true;
  }
  if (existing->message != condition.message) {
    existing->message = std::move(condition.message);
    changed = true;
  }
  if (existing->observed_generation != condition.observed_generation) {
    existing->observed_generation = condition.observed_generation;
    changed = true;
  }
  return changed;
}

bool RemoveStatusCondition(std::vector<Condition>& conditions, std::string_view type) {
  const auto it = std::find_if(conditions.begin(), conditions.end(),
                               [&](const Condition& c) { return c.type == type; });
  if (it == conditions.end()) return false;
  conditions.erase(it);
  return true;
}

const Condition* FindStatusCondition(const std::vector<Condition>& conditions,
                                     std::string_view type) {
  for (const Condition& c : conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

Condition* FindStatusCondition(std::vector<Condition>& conditions, std::string_view type) {
  for (Condition& c : conditions) {
    if (c.type == type) return &c;
  }
  return nullptr;
}

bool IsStatusConditionTrue(const std::vector<Condition>& conditions, std::string_view type) {
  const Condition* c = FindStatusCondition(conditions, type);
  return c != nullptr && c->status == kConditionTrue;
}

bool IsStatusConditionFalse(const std::vector<Condition>& conditions, std::string_view type) {
  const Condition* c = FindStatusCondition(conditions, type);
  return c != nullptr && c->status == kConditionFalse;
}

}  // namespace limen::api

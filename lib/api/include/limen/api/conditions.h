// Condition (metav1.Condition) and the helpers of apimachinery's pkg/api/meta/conditions.go.
//
// SetStatusCondition is level-based and idempotent: it adds or updates the condition of
// the same type, and moves lastTransitionTime only when the status changes, so "since when"
// survives every reconcile that merely restates the condition.
//
// Thread-safety: plain values and pure functions; callers own the vectors they pass.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limen/api/codec.h"
#include "limen/api/time.h"

namespace limen::api {

inline constexpr std::string_view kConditionTrue = "True";
inline constexpr std::string_view kConditionFalse = "False";
inline constexpr std::string_view kConditionUnknown = "Unknown";

struct Condition {
  std::string type;    // PascalCase, e.g. "Ready"
  std::string status;  // "True", "False" or "Unknown"
  int64_t observed_generation = 0;
  std::optional<Time> last_transition_time;
  std::string reason;   // CamelCase, e.g. "Sustained"
  std::string message;  // for humans
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("type", s.type);
    f("status", s.status);
    f("observedGeneration", s.observed_generation);
    f("lastTransitionTime", s.last_transition_time);
    f("reason", s.reason);
    f("message", s.message);
  }
};

// Adds `condition` or updates the one of the same type; returns whether anything changed.
// lastTransitionTime: kept when the status is unchanged; otherwise the condition's own
// lastTransitionTime if set, else `now` truncated to seconds (metav1.Time's precision, so
// the value equals what the apiserver stores).
bool SetStatusCondition(std::vector<Condition>& conditions, Condition condition, Time now);

// Removes the condition of this type; returns whether one was removed.
bool RemoveStatusCondition(std::vector<Condition>& conditions, std::string_view type);

// The condition of this type, or nullptr. The pointer is valid until `conditions` changes.
const Condition* FindStatusCondition(const std::vector<Condition>& conditions,
                                     std::string_view type);
Condition* FindStatusCondition(std::vector<Condition>& conditions, std::string_view type);

bool IsStatusConditionTrue(const std::vector<Condition>& conditions, std::string_view type);
bool IsStatusConditionFalse(const std::vector<Condition>& conditions, std::string_view type);

}  // namespace limen::api

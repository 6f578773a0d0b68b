// Kubernetes timestamps: metav1.MicroTime ("2026-11-26T08:00:00.000000Z", used by Lease
// acquireTime/renewTime and events.k8s.io eventTime/series.lastObservedTime) and metav1.Time
// ("2026-11-26T08:00:00Z"). Always UTC. Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "limen/kube/clock.h"

namespace limen::kube {

// RFC 3339 with exactly six fractional digits, as metav1.MicroTime serialises.
std::string FormatMicroTime(Clock::WallTime t);
// RFC 3339 with whole seconds, as metav1.Time serialises.
std::string FormatTime(Clock::WallTime t);
// Parses "YYYY-MM-DDTHH:MM:SS[.frac]Z"; nullopt if malformed. Offsets other than Z are
// rejected: the apiserver always writes UTC.
std::optional<Clock::WallTime> ParseTime(std::string_view text);

}  // namespace limen::kube

#include "limen/kube/backoff.h"

#include <algorithm>
#include <cmath>

namespace limen::kube {
namespace {

double DefaultRandom01() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

}  // namespace

ExponentialBackoff::ExponentialBackoff(Options options, std::function<double()> random01)
    : options_(options), random01_(random01 ? std::move(random01) : DefaultRandom01) {}

BackoffStrategy::Duration ExponentialBackoff::NextBackOff() {
  const double base = static_cast<double>(options_.base.count());
  const double cap = static_cast<double>(options_.max.count());
  // Cap the exponent so the power never overflows, whatever the attempt count.
  const double grown = base * std::pow(options_.factor, std::min<uint32_t>(attempt_, 64));
  double delay = std::min(grown, cap);
  if (options_.jitter > 0) delay *= 1.0 + options_.jitter * random01_();
  delay = std::min(delay, cap * (1.0 + options_.jitter));
  ++attempt_;
  return Duration(static_cast<Duration::rep>(delay));
}

}  // namespace limen::kube

#include "limen/api/well_known.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace limen::api {
namespace {

constexpr size_t kMaxNameLength = 253;  // a DNS subdomain, the limit of object names

// Names longer than an object name can be keep a deterministic prefix and a hash of the
// whole, so distinct inputs stay distinct (FNV-1a, 32 bits).
std::string FitName(std::string name) {
  if (name.size() <= kMaxNameLength) return name;
  uint32_t h = 2166136261u;
  for (char c : name) {
    h ^= static_cast<uint8_t>(c);
    h *= 16777619u;
  }
  char suffix[10];
  std::snprintf(suffix, sizeof suffix, "-%08x", h);
  name.resize(kMaxNameLength - 9);
  while (!name.empty() && (name.back() == '-' || name.back() == '.')) name.pop_back();
  return name + suffix;
}

}  // namespace

bool IsCatalogueProbe(std::string_view name) {
  return std::find(kProbeCatalogue.begin(), kProbeCatalogue.end(), name) != kProbeCatalogue.end();
}

std::string SidecarConfigMapName(std::string_view policy) {
  return FitName("limen-" + std::string(policy) + "-sidecar");
}

std::string InstrumentedWorkloadName(std::string_view kind, std::string_view name) {
  std::string out = std::string(kind) + "-" + std::string(name);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  return FitName(std::move(out));
}

}  // namespace limen::api

// Human forms of measured values for status and printer columns: "8.2ms", "2.9M", "95.2%".
#pragma once

#include <cstdint>
#include <string>

namespace limen::readiness {

std::string FormatMillis(int64_t nanos);     // one decimal: 8234567 → "8.2ms"
std::string FormatMegabytes(int64_t bytes);  // decimal SI, one decimal: 2912345 → "2.9M"
std::string FormatBasisPoints(int64_t bp);   // 9523 → "95.2%"

}  // namespace limen::readiness

// Quantity: Kubernetes resource quantities ("3.2M", "128Mi", "1e3", "500m") as exact values.
//
// The syntax is that of k8s.io/apimachinery resource.Quantity:
//   quantity ::= [+-] number [suffix]
//   number   ::= digits | digits "." [digits] | "." digits
//   suffix   ::= binarySI (Ki Mi Gi Ti Pi Ei) | decimalSI (n u m "" k M G T P E)
//              | ("e" | "E") [+-] digits
// A Quantity keeps the exact value as sign × digits × 10^exp10 × 2^exp2, so "3.2M" is
// exactly 3,200,000 and "1.5Ki" exactly 1536, without floating point. The text it was parsed
// from is kept so that a spec round-trips unchanged.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "limen/base/status.h"

namespace limen::api {

struct Quantity {
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

  bool negative = false;
  std::string digits;  // significant digits, no leading or trailing zeros; "" for zero
  int64_t exp10 = 0;
  int exp2 = 0;  // 0, 10, 20, ... 60 for binary suffixes
  Format format = Format::kDecimalSI;
  std::string text;  // as parsed

  bool IsZero() const { return digits.empty(); }

  // The value rounded up to an integer away from zero, as resource.Quantity.Value() does
  // ("0.1" → 1, "-0.1" → -1). Error when it does not fit in int64.
  StatusOr<int64_t> Value() const;
};

// Parses a quantity; errors quote the input and say what is wrong, e.g.
// `invalid quantity "3.2X": unknown suffix "X" (valid: n u m k M G T P E Ki Mi Gi Ti Pi Ei
// or e<exponent>)`.
StatusOr<Quantity> ParseQuantity(std::string_view text);

// The canonical text Kubernetes gives an integer quantity: the largest suffix that divides it
// exactly — decimal SI: 3200000 → "3200k", 1000 → "1k"; binary SI: 1048576 → "1Mi",
// 1536 → "1536" (binary falls back to a plain integer when no suffix divides it).
std::string FormatDecimalSI(int64_t value);
std::string FormatBinarySI(int64_t value);

}  // namespace limen::api

// Base64 decoding for kubeconfig *-data fields (standard alphabet, padding optional,
// whitespace ignored, as Go's encoding/base64 after kubectl's line wrapping). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace limen::kube {

// nullopt when `in` holds a character outside the alphabet or a truncated group.
std::optional<std::string> Base64Decode(std::string_view in);

}  // namespace limen::kube

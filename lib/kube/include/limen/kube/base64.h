// Base64, standard alphabet (RFC 4648): decoding for kubeconfig *-data fields, Secret data,
// ConfigMap binaryData and caBundles (padding optional, whitespace ignored, as Go's
// encoding/base64 after kubectl's line wrapping); encoding, padded, for what Limen writes
// (AdmissionResponse.patch, Secret data, caBundle). Pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace limen::kube {

// nullopt when `in` holds a character outside the alphabet or a truncated group.
std::optional<std::string> Base64Decode(std::string_view in);
std::string Base64Encode(std::string_view data);

}  // namespace limen::kube

// Certificates for the webhook's TLS: a self-signed CA and serving certificates it signs
// (ECDSA P-256), and inspection of PEM files. The separable piece a deployment may replace
// with cert-manager or the operator: limen-webhook only needs a cert and key on disk.
//
// Thread-safety: pure functions over PEM strings (OpenSSL is thread-safe in 3.x).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "limen/base/status.h"

namespace limen::webhook {

struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
};

struct CertInfo {
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  std::string subject;  // one-line form, e.g. "CN=limen-webhook"
  bool is_ca = false;
  std::vector<std::string> dns_names;     // subjectAltName DNS entries, in certificate order
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries, as inet_ntop prints them
};

// A self-signed CA valid from `now` - 1 h (clock skew) for `validity`.
StatusOr<KeyPair> GenerateCa(const std::string& common_name, std::chrono::seconds validity,
                             std::chrono::system_clock::time_point now);

// A serving certificate signed by `ca` with the given DNS and IP subjectAltNames
// (extendedKeyUsage serverAuth).
StatusOr<KeyPair> IssueServingCert(const KeyPair& ca, const std::string& common_name,
                                   const std::vector<std::string>& dns_names,
                                   const std::vector<std::string>& ip_addresses,
                                   std::chrono::seconds validity,
                                   std::chrono::system_clock::time_point now);

// The first certificate of a PEM chain.
StatusOr<CertInfo> InspectCertificate(std::string_view cert_pem);

// Whether the first certificate of `cert_pem` was signed by the key of the CA certificate
// `ca_cert_pem` (issuer name and signature; validity periods are not checked here).
Status CheckIssuedBy(std::string_view cert_pem, std::string_view ca_cert_pem);

// The canonical text form of an IPv4/IPv6 address ("::1", "127.0.0.1"); an error when `ip`
// is not an address.
StatusOr<std::string> NormalizeIp(std::string_view ip);

// Whether `key_pem` is the private key of the first certificate of `cert_pem`.
Status CheckKeyPair(std::string_view cert_pem, std::string_view key_pem);

}  // namespace limen::webhook

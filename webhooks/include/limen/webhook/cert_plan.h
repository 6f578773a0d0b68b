// CertPlan: the decisions of the webhook's certificate manager (cert_manager.h) as pure
// functions — "given what the Secret holds, whether the caBundle is published, the time and
// the policy, what must be done now?" — so that every rotation rule is table-tested without
// a cluster or a clock.
//
// The Secret (decoded data, keys below) is the single source of truth shared by all
// webhook replicas:
//   ca.crt, ca.key             the active CA: it signs tls.crt
//   tls.crt, tls.key           the serving certificate every replica serves
//   ca-next.crt, ca-next.key   a new CA during rotation: published in the caBundle, not yet
//                              signing
//   ca-previous.crt            the CA retired by the last rotation, still in the caBundle
//   ca-previous-until          Unix seconds after which no certificate it signed can still
//                              be served (the NotAfter of the last serving cert it signed)
// The caBundle of every webhook entry is DesiredBundle(): active + next + previous.
//
// The overlap timeline of a CA rotation (see docs/webhook.md "Certificates"):
//   1. the active CA enters its renew window (NotAfter - ca_renew_before), or its key is
//      unusable → StartCaRotation: a new CA goes to ca-next; the caBundle becomes old+new;
//   2. once this process has seen the old+new bundle in every webhook entry for
//      propagation_delay → SwitchCa: ca-next becomes the active CA, the old one moves to
//      ca-previous (until = NotAfter of the serving cert it signed), and a serving
//      certificate from the new CA is issued;
//   3. at ca-previous-until → RetirePreviousCa: the old CA leaves the bundle.
// The serving certificate is re-issued when it enters its renew window (NotAfter -
// renew_before), when it is unusable or not signed by the active CA, or when the
// configured names changed. Data that does not parse is reported (SecretView::problems)
// and regenerated, never trusted and never a crash.
//
// Thread-safety: pure functions over values, except ApplyDecision, which generates keys
// (OpenSSL's RNG; thread-safe).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "limen/base/status.h"
#include "limen/webhook/certs.h"

namespace limen::webhook {

using TimePoint = std::chrono::system_clock::time_point;

// Secret data keys.
inline constexpr const char* kSecretCaCert = "ca.crt";
inline constexpr const char* kSecretCaKey = "ca.key";
inline constexpr const char* kSecretTlsCert = "tls.crt";
inline constexpr const char* kSecretTlsKey = "tls.key";
inline constexpr const char* kSecretNextCaCert = "ca-next.crt";
inline constexpr const char* kSecretNextCaKey = "ca-next.key";
inline constexpr const char* kSecretPreviousCaCert = "ca-previous.crt";
inline constexpr const char* kSecretPreviousUntil = "ca-previous-until";

// The Secret's data, decoded (key → bytes).
using SecretData = std::map<std::string, std::string>;

// What to issue and when to rotate. Durations are whole seconds (X.509 resolution).
struct CertPolicy {
  std::string common_name = "limen-webhook";
  std::vector<std::string> dns_names;     // serving certificate SANs
  std::vector<std::string> ip_addresses;  // normalised by ValidatePolicy
  std::chrono::seconds ca_validity{std::chrono::hours(24 * 365)};
  std::chrono::seconds ca_renew_before{std::chrono::hours(24 * 60)};
  std::chrono::seconds cert_validity{std::chrono::hours(24 * 30)};
  std::chrono::seconds renew_before{std::chrono::hours(24 * 10)};
  // How long the old+new bundle must have been seen in every webhook entry before a
  // certificate from the new CA is served (the apiservers' webhook configuration caches).
  std::chrono::seconds propagation_delay{30};
};

// Normalises IPs and checks that the windows nest: renew_before < cert_validity,
// ca_renew_before > renew_before + propagation_delay (so a serving certificate from a CA in
// rotation is not re-issued on every pass), and ca_validity > ca_renew_before +
// cert_validity (so the previous CA is retired before the next rotation is due).
Status ValidatePolicy(CertPolicy& policy);

struct CaView {
  std::string cert_pem, key_pem;
  TimePoint not_before, not_after;
  bool can_sign = false;  // the key is present and matches
};

struct ServingView {
  TimePoint not_before, not_after;
  bool issued_by_active = false;
  std::vector<std::string> dns_names, ip_addresses;
};

// The Secret, parsed and checked. Everything unusable is absent, with a line in problems.
struct SecretView {
  bool exists = false;
  std::optional<CaView> active;
  std::optional<CaView> next;      // only with can_sign: a pending CA that cannot sign is useless
  std::optional<CaView> previous;  // certificate only
  std::optional<TimePoint> previous_until;
  std::optional<ServingView> serving;  // only when tls.crt and tls.key parse and match
  std::vector<std::string> problems;   // "tls.key: does not match tls.crt", ...
  bool next_corrupt = false;           // ca-next.* present but unusable
  bool previous_corrupt = false;       // ca-previous.* present but unusable
};

// `data` null = the Secret does not exist.
SecretView InspectSecret(const SecretData* data);

enum class CertStep {
  kBootstrap,         // a new CA and serving certificate; drops next/previous
  kRetirePreviousCa,  // ca-previous leaves the Secret (and the bundle)
  kDiscardNextCa,     // an unusable or expired ca-next is dropped
  kStartCaRotation,   // a new CA into ca-next
  kSwitchCa,      // ca-next → active, active → previous (until = CertDecision::previous_until)
  kIssueServing,  // a serving certificate from the (new) active CA
};
std::string_view StepName(CertStep step);  // "Bootstrap", "RetirePreviousCa", ...

struct CertAction {
  CertStep step;
  std::string reason;  // why, for logs and Events
};

struct CertDecision {
  std::vector<CertAction> actions;  // in order; empty = the Secret is fine as it is
  // For kSwitchCa: until when the retiring CA stays in the bundle.
  TimePoint previous_until{};
  // When something will be due if nothing changes (a renew window opens, the propagation
  // delay elapses, the previous CA may retire). Meaningful when actions is empty.
  TimePoint next_check = TimePoint::max();
  // Set when a step is due but must wait (e.g. a rotation waits for the previous CA to
  // retire); for logs.
  std::string waiting;
  bool Has(CertStep s) const;
};

// The decision. `bundle_published_since`: since when this process has seen
// DesiredBundle(view) in every webhook entry (nullopt: not seen, or not yet).
CertDecision Decide(const SecretView& view, TimePoint now, const CertPolicy& policy,
                    std::optional<TimePoint> bundle_published_since);

// Carries out `decision` on `data`: generates CAs and certificates (validity from `now`;
// a serving certificate never outlives its CA) and returns the new Secret data.
StatusOr<SecretData> ApplyDecision(const SecretData& data, const CertDecision& decision,
                                   TimePoint now, const CertPolicy& policy);

// The PEM CA bundle the webhook configurations must carry: the distinct CA certificates of
// active, next and previous in a canonical (sorted) order, so that it does not change when
// only the roles of the same certificates do.
std::string DesiredBundle(const SecretView& view);

}  // namespace limen::webhook

#include "limen/webhook/cert_plan.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <set>

namespace limen::webhook {
namespace {

using std::chrono::seconds;

std::string FormatUtc(TimePoint t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Secs(seconds s) { return std::to_string(s.count()) + "s"; }

const std::string* Get(const SecretData& data, const char* key) {
  auto it = data.find(key);
  return it == data.end() || it->second.empty() ? nullptr : &it->second;
}

// A CA from `cert_key` / `key_key`; problems are appended with the key names.
std::optional<CaView> ReadCa(const SecretData& data, const char* cert_key, const char* key_key,
                             std::vector<std::string>& problems) {
  const std::string* cert = Get(data, cert_key);
  if (cert == nullptr) {
    problems.push_back(std::string(cert_key) + ": missing");
    return std::nullopt;
  }
  auto info = InspectCertificate(*cert);
  if (!info.ok()) {
    problems.push_back(std::string(cert_key) + ": " + info.status().message());
    return std::nullopt;
  }
  if (!info->is_ca) {
    problems.push_back(std::string(cert_key) + ": not a CA certificate");
    return std::nullopt;
  }
  CaView ca{*cert, "", info->not_before, info->not_after, false};
  if (key_key == nullptr) return ca;
  const std::string* key = Get(data, key_key);
  if (key == nullptr) {
    problems.push_back(std::string(key_key) + ": missing");
  } else if (Status s = CheckKeyPair(*cert, *key); !s.ok()) {
    problems.push_back(std::string(key_key) + ": " + s.message());
  } else {
    ca.key_pem = *key;
    ca.can_sign = true;
  }
  return ca;
}

std::optional<ServingView> ReadServing(const SecretData& data, const std::optional<CaView>& active,
                                       std::vector<std::string>& problems) {
  const std::string* cert = Get(data, kSecretTlsCert);
  const std::string* key = Get(data, kSecretTlsKey);
  if (cert == nullptr || key == nullptr) {
    problems.push_back(std::string(cert == nullptr ? kSecretTlsCert : kSecretTlsKey) + ": missing");
    return std::nullopt;
  }
  auto info = InspectCertificate(*cert);
  if (!info.ok()) {
    problems.push_back(std::string(kSecretTlsCert) + ": " + info.status().message());
    return std::nullopt;
  }
  if (Status s = CheckKeyPair(*cert, *key); !s.ok()) {
    problems.push_back(std::string(kSecretTlsKey) + ": " + s.message());
    return std::nullopt;
  }
  ServingView v{info->not_before, info->not_after, false, info->dns_names, info->ip_addresses};
  v.issued_by_active = active && CheckIssuedBy(*cert, active->cert_pem).ok();
  return v;
}

std::optional<TimePoint> ParseUnixSeconds(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  return TimePoint(seconds(std::strtoll(text.c_str(), nullptr, 10)));
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::string WithNewline(std::string pem) {
  if (!pem.empty() && pem.back() != '\n') pem += '\n';
  return pem;
}

}  // namespace

Status ValidatePolicy(CertPolicy& p) {
  if (p.dns_names.empty() && p.ip_addresses.empty()) {
    return Status::InvalidArgument("the serving certificate needs at least one DNS name or IP");
  }
  for (auto& ip : p.ip_addresses) {
    LIMEN_ASSIGN_OR_RETURN(ip, NormalizeIp(ip));
  }
  if (p.renew_before.count() <= 0 || p.renew_before >= p.cert_validity) {
    return Status::InvalidArgument("renew-before (" + Secs(p.renew_before) +
                                   ") must be positive and shorter than the certificate "
                                   "validity (" +
                                   Secs(p.cert_validity) + ")");
  }
  if (p.propagation_delay.count() < 0) {
    return Status::InvalidArgument("the bundle propagation delay must not be negative");
  }
  if (p.ca_renew_before <= p.renew_before + p.propagation_delay) {
    return Status::InvalidArgument(
        "ca-renew-before (" + Secs(p.ca_renew_before) +
        ") must exceed renew-before + the bundle propagation delay (" +
        Secs(p.renew_before + p.propagation_delay) +
        "): otherwise serving certificates from a CA in rotation are re-issued on every pass");
  }
  if (p.ca_validity <= p.ca_renew_before + p.cert_validity) {
    return Status::InvalidArgument(
        "ca-validity (" + Secs(p.ca_validity) + ") must exceed ca-renew-before + cert-validity (" +
        Secs(p.ca_renew_before + p.cert_validity) +
        "): otherwise the next CA rotation is due before the previous CA can retire");
  }
  return Status::Ok();
}

SecretView InspectSecret(const SecretData* data) {
  SecretView v;
  if (data == nullptr) return v;
  v.exists = true;
  const bool any = std::any_of(data->begin(), data->end(), [](const auto& kv) {
    return kv.first == kSecretCaCert || kv.first == kSecretCaKey || kv.first == kSecretTlsCert ||
           kv.first == kSecretTlsKey || kv.first == kSecretNextCaCert ||
           kv.first == kSecretNextCaKey || kv.first == kSecretPreviousCaCert;
  });
  if (!any) return v;  // an empty Secret (e.g. made by the chart): nothing is corrupt
  v.active = ReadCa(*data, kSecretCaCert, kSecretCaKey, v.problems);
  if (Get(*data, kSecretNextCaCert) || Get(*data, kSecretNextCaKey)) {
    v.next = ReadCa(*data, kSecretNextCaCert, kSecretNextCaKey, v.problems);
    if (v.next && !v.next->can_sign) v.next.reset();
    v.next_corrupt = !v.next;
  }
  if (Get(*data, kSecretPreviousCaCert)) {
    v.previous = ReadCa(*data, kSecretPreviousCaCert, nullptr, v.problems);
    v.previous_corrupt = !v.previous;
    if (const std::string* until = Get(*data, kSecretPreviousUntil)) {
      v.previous_until = ParseUnixSeconds(*until);
      if (!v.previous_until) {
        v.problems.push_back(std::string(kSecretPreviousUntil) + ": \"" + until->substr(0, 40) +
                             "\" is not Unix seconds (the previous CA's NotAfter is used)");
      }
    }
  }
  v.serving = ReadServing(*data, v.active, v.problems);
  return v;
}

std::string_view StepName(CertStep step) {
  switch (step) {
    case CertStep::kBootstrap: return "Bootstrap";
    case CertStep::kRetirePreviousCa: return "RetirePreviousCa";
    case CertStep::kDiscardNextCa: return "DiscardNextCa";
    case CertStep::kStartCaRotation: return "StartCaRotation";
    case CertStep::kSwitchCa: return "SwitchCa";
    case CertStep::kIssueServing: return "IssueServing";
  }
  return "Unknown";
}

bool CertDecision::Has(CertStep s) const {
  return std::any_of(actions.begin(), actions.end(),
                     [s](const CertAction& a) { return a.step == s; });
}

CertDecision Decide(const SecretView& view, TimePoint now, const CertPolicy& policy,
                    std::optional<TimePoint> bundle_published_since) {
  CertDecision d;
  auto due = [&d](TimePoint t) { d.next_check = std::min(d.next_check, t); };
  auto add = [&d](CertStep s, std::string why) { d.actions.push_back({s, std::move(why)}); };
  auto problems = [&view] {
    std::string out;
    for (const auto& p : view.problems) out += (out.empty() ? "" : "; ") + p;
    return out;
  };
  const bool serving_usable =
      view.serving && now >= view.serving->not_before && now < view.serving->not_after;

  // 1. Nothing usable to keep: a fresh CA and serving certificate.
  std::string fresh;
  if (!view.exists) {
    fresh = "the Secret does not exist";
  } else if (!view.active) {
    fresh = view.problems.empty() ? "the Secret holds no certificates yet"
                                  : "no usable CA (" + problems() + ")";
  } else if (now >= view.active->not_after) {
    fresh = "the CA expired at " + FormatUtc(view.active->not_after);
  } else if (!view.active->can_sign && !serving_usable) {
    fresh = "the CA cannot sign and no usable serving certificate is left (" + problems() + ")";
  }
  if (!fresh.empty()) {
    add(CertStep::kBootstrap, fresh);
    return d;
  }
  const CaView& active = *view.active;

  // 2. The previous CA stays in the bundle while a certificate it signed may be served.
  bool previous_kept = false;
  if (view.previous_corrupt) {
    add(CertStep::kRetirePreviousCa, "ca-previous.crt is unreadable");
  } else if (view.previous) {
    TimePoint until = view.previous->not_after;
    if (view.previous_until) until = std::min(until, *view.previous_until);
    if (now >= until) {
      add(CertStep::kRetirePreviousCa,
          "no certificate it signed can be served after " + FormatUtc(until));
    } else {
      previous_kept = true;
      due(until);
    }
  }

  // 3. CA rotation: new CA pending in the bundle first, the switch only once published.
  const TimePoint rotate_at = active.not_after - policy.ca_renew_before;
  std::string rotate;
  if (!active.can_sign) {
    rotate = "the CA key is unusable (" + problems() + ")";
  } else if (now < active.not_before) {
    rotate = "the CA is not valid before " + FormatUtc(active.not_before) + " (clock skew?)";
  } else if (now >= rotate_at) {
    rotate = "the CA expires at " + FormatUtc(active.not_after) + " (renew " +
             Secs(policy.ca_renew_before) + " before)";
  }
  bool have_next = view.next.has_value();
  if (view.next_corrupt) {
    add(CertStep::kDiscardNextCa, "the pending CA (ca-next.*) is unusable");
  } else if (have_next && now >= view.next->not_after) {
    add(CertStep::kDiscardNextCa, "the pending CA expired at " + FormatUtc(view.next->not_after));
    have_next = false;
  }
  bool switched = false;
  if (!have_next) {
    if (rotate.empty()) {
      due(rotate_at);
    } else if (previous_kept) {
      d.waiting = "CA rotation (" + rotate + ") waits until the previous CA retires";
    } else {
      add(CertStep::kStartCaRotation, rotate);
    }
  } else if (previous_kept) {
    d.waiting = "the switch to the new CA waits until the previous CA retires";
  } else if (!bundle_published_since) {
    d.waiting = "the switch to the new CA waits until the bundle with it is published";
  } else if (now < *bundle_published_since + policy.propagation_delay) {
    d.waiting = "the switch to the new CA waits for the bundle to propagate";
    due(*bundle_published_since + policy.propagation_delay);
  } else {
    add(CertStep::kSwitchCa, "the bundle with the new CA was published at " +
                                 FormatUtc(*bundle_published_since) + ", " +
                                 Secs(policy.propagation_delay) + " ago or more");
    switched = true;
    // Replicas serve the Secret's tls.crt, or an older one from the same CA: none outlives
    // the current one (or, if that one is unusable, the CA).
    d.previous_until = view.serving && view.serving->issued_by_active
                           ? std::min(view.serving->not_after, active.not_after)
                           : active.not_after;
  }

  // 4. The serving certificate.
  std::string issue;
  if (switched) {
    issue = "the new CA is active";
  } else if (!view.serving) {
    issue = "no usable serving certificate (" + problems() + ")";
  } else if (!view.serving->issued_by_active) {
    issue = "the serving certificate is not signed by the active CA";
  } else if (Sorted(view.serving->dns_names) != Sorted(policy.dns_names) ||
             Sorted(view.serving->ip_addresses) != Sorted(policy.ip_addresses)) {
    issue = "the configured DNS names / IPs changed";
  } else if (now < view.serving->not_before) {
    issue = "the serving certificate is not valid before " + FormatUtc(view.serving->not_before);
  } else if (now >= view.serving->not_after - policy.renew_before) {
    issue = "the serving certificate expires at " + FormatUtc(view.serving->not_after) +
            " (renew " + Secs(policy.renew_before) + " before)";
  } else {
    due(view.serving->not_after - policy.renew_before);
  }
  if (!issue.empty()) {
    if (switched || active.can_sign) {
      add(CertStep::kIssueServing, issue);
    } else {
      d.waiting += (d.waiting.empty() ? "" : "; ") + std::string("a serving certificate is due (") +
                   issue + ") but the CA cannot sign: waiting for the new CA";
    }
  }
  return d;
}

StatusOr<SecretData> ApplyDecision(const SecretData& data, const CertDecision& decision,
                                   TimePoint now, const CertPolicy& policy) {
  SecretData out = data;
  const auto ca_name = [&] {
    return policy.common_name + "-ca@" +
           std::to_string(std::chrono::duration_cast<seconds>(now.time_since_epoch()).count());
  };
  auto issue = [&]() -> Status {
    const KeyPair ca{out[kSecretCaCert], out[kSecretCaKey]};
    LIMEN_ASSIGN_OR_RETURN(CertInfo ca_info, InspectCertificate(ca.cert_pem));
    const seconds left = std::chrono::duration_cast<seconds>(ca_info.not_after - now);
    const seconds validity = std::min(policy.cert_validity, left);
    if (validity.count() <= 0) return Status::Internal("the active CA has expired");
    LIMEN_ASSIGN_OR_RETURN(KeyPair serving,
                           IssueServingCert(ca, policy.common_name, policy.dns_names,
                                            policy.ip_addresses, validity, now));
    out[kSecretTlsCert] = serving.cert_pem;
    out[kSecretTlsKey] = serving.key_pem;
    return Status::Ok();
  };
  for (const CertAction& a : decision.actions) {
    switch (a.step) {
      case CertStep::kBootstrap: {
        LIMEN_ASSIGN_OR_RETURN(KeyPair ca, GenerateCa(ca_name(), policy.ca_validity, now));
        for (const char* k :
             {kSecretNextCaCert, kSecretNextCaKey, kSecretPreviousCaCert, kSecretPreviousUntil}) {
          out.erase(k);
        }
        out[kSecretCaCert] = ca.cert_pem;
        out[kSecretCaKey] = ca.key_pem;
        LIMEN_RETURN_IF_ERROR(issue());
        break;
      }
      case CertStep::kRetirePreviousCa:
        out.erase(kSecretPreviousCaCert);
        out.erase(kSecretPreviousUntil);
        break;
      case CertStep::kDiscardNextCa:
        out.erase(kSecretNextCaCert);
        out.erase(kSecretNextCaKey);
        break;
      case CertStep::kStartCaRotation: {
        LIMEN_ASSIGN_OR_RETURN(KeyPair ca, GenerateCa(ca_name(), policy.ca_validity, now));
        out[kSecretNextCaCert] = ca.cert_pem;
        out[kSecretNextCaKey] = ca.key_pem;
        break;
      }
      case CertStep::kSwitchCa: {
        if (!Get(out, kSecretNextCaCert) || !Get(out, kSecretNextCaKey)) {
          return Status::Internal("SwitchCa without a pending CA");
        }
        out[kSecretPreviousCaCert] = out[kSecretCaCert];
        out[kSecretPreviousUntil] = std::to_string(
            std::chrono::duration_cast<seconds>(decision.previous_until.time_since_epoch())
                .count());
        out[kSecretCaCert] = out[kSecretNextCaCert];
        out[kSecretCaKey] = out[kSecretNextCaKey];
        out.erase(kSecretNextCaCert);
        out.erase(kSecretNextCaKey);
        break;
      }
      case CertStep::kIssueServing: LIMEN_RETURN_IF_ERROR(issue()); break;
    }
  }
  return out;
}

std::string DesiredBundle(const SecretView& view) {
  std::set<std::string> pems;
  for (const auto* ca : {&view.active, &view.next, &view.previous}) {
    if (*ca) pems.insert(WithNewline((*ca)->cert_pem));
  }
  std::string out;
  for (const auto& p : pems) out += p;
  return out;
}

}  // namespace limen::webhook

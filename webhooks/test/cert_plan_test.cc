// The certificate manager's decisions (cert_plan.h): a table of Secret states × clock
// edges → steps; InspectSecret on real and corrupted PEM data; and a simulation of many
// rotations that checks the overlap invariant at every second.
#include "limen/webhook/cert_plan.h"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace limen::webhook {
namespace {

using std::chrono::seconds;
const TimePoint kT0 = TimePoint(seconds(1900000000));  // 2030-03-17

CertPolicy TestPolicy() {
  CertPolicy p;
  p.dns_names = {"limen-webhook.limen-system.svc"};
  p.ip_addresses = {"127.0.0.1"};
  p.ca_validity = seconds(1000);
  p.ca_renew_before = seconds(300);
  p.cert_validity = seconds(100);
  p.renew_before = seconds(30);
  p.propagation_delay = seconds(10);
  return p;
}

// Hand-built views: the decision only looks at times and flags.
CaView Ca(const std::string& pem, TimePoint not_after, bool can_sign = true) {
  return CaView{pem, can_sign ? "key" : "", not_after - seconds(1000), not_after, can_sign};
}
// Like real certificates, NotBefore is backdated an hour (certs.cc) before issuance.
ServingView Serving(TimePoint not_after, bool by_active = true) {
  return ServingView{not_after - seconds(100) - std::chrono::hours(1),
                     not_after,
                     by_active,
                     {"limen-webhook.limen-system.svc"},
                     {"127.0.0.1"}};
}
// A healthy Secret: CA valid to T0+1000, serving cert to T0+100.
SecretView Healthy() {
  SecretView v;
  v.exists = true;
  v.active = Ca("CA-A", kT0 + seconds(1000));
  v.serving = Serving(kT0 + seconds(100));
  return v;
}

struct Row {
  std::string name;
  SecretView view;
  TimePoint now;
  std::optional<TimePoint> published_since;
  std::vector<CertStep> want;
  bool want_waiting = false;
  std::optional<TimePoint> want_next_check;
  std::optional<TimePoint> want_previous_until;
};

Row R(std::string name, SecretView view, TimePoint now, std::optional<TimePoint> since,
      std::vector<CertStep> want, bool waiting = false,
      std::optional<TimePoint> next_check = std::nullopt,
      std::optional<TimePoint> previous_until = std::nullopt) {
  return Row{std::move(name), std::move(view), now,        since,
             std::move(want), waiting,         next_check, previous_until};
}

std::string Names(const std::vector<CertStep>& steps) {
  std::string out;
  for (CertStep s : steps) out += (out.empty() ? "" : ",") + std::string(StepName(s));
  return out.empty() ? "(none)" : out;
}

std::vector<Row> Rows() {
  const CertPolicy p = TestPolicy();
  std::vector<Row> rows;
  auto add = [&rows](Row r) { rows.push_back(std::move(r)); };

  add(R("absent secret bootstraps", SecretView{}, kT0, {}, {CertStep::kBootstrap}));
  {
    SecretView v;
    v.exists = true;  // a Secret without our keys (made empty by a chart)
    add(R("empty secret bootstraps", v, kT0, {}, {CertStep::kBootstrap}));
  }
  {
    SecretView v = Healthy();
    v.active.reset();
    v.problems = {"ca.crt: no PEM certificate"};
    add(R("corrupt CA regenerates", v, kT0, {}, {CertStep::kBootstrap}));
  }
  add(R("healthy: nothing; next check at the serving renew time", Healthy(), kT0, {}, {}, false,
        kT0 + seconds(70)));
  add(R("serving renew window: one second before", Healthy(), kT0 + seconds(69), {}, {}, false,
        kT0 + seconds(70)));
  add(R("serving renew window: exactly at NotAfter - renewBefore", Healthy(), kT0 + seconds(70), {},
        {CertStep::kIssueServing}));
  add(R("serving expired", Healthy(), kT0 + seconds(100), {}, {CertStep::kIssueServing}));
  {
    SecretView v = Healthy();
    v.serving.reset();
    v.problems = {"tls.key: the private key does not match the certificate"};
    add(R("unusable serving pair is re-issued", v, kT0, {}, {CertStep::kIssueServing}));
  }
  {
    SecretView v = Healthy();
    v.serving->issued_by_active = false;
    add(R("serving cert from another CA is re-issued", v, kT0, {}, {CertStep::kIssueServing}));
  }
  {
    SecretView v = Healthy();
    v.serving->dns_names = {"old.example"};
    add(R("changed DNS names re-issue", v, kT0, {}, {CertStep::kIssueServing}));
  }
  {
    SecretView v = Healthy();
    v.serving->not_before = kT0 + seconds(5);  // the clock went back
    add(R("serving cert not yet valid is re-issued", v, kT0, {}, {CertStep::kIssueServing}));
  }
  {
    SecretView v = Healthy();
    v.serving = Serving(kT0 + seconds(800));  // so the CA window is the earliest due
    add(R("CA renew window: one second before", v, kT0 + seconds(699), {}, {}, false,
          kT0 + seconds(700)));
    add(R("CA renew window: exactly at NotAfter - caRenewBefore", v, kT0 + seconds(700), {},
          {CertStep::kStartCaRotation}));
  }
  {
    SecretView v = Healthy();
    add(R("CA expired exactly now regenerates", v, kT0 + seconds(1000), {},
          {CertStep::kBootstrap}));
    add(R("CA one second before expiry rotates (and re-issues the expired serving cert)", v,
          kT0 + seconds(999), {}, {CertStep::kStartCaRotation, CertStep::kIssueServing}));
  }
  {
    SecretView v = Healthy();
    v.active->not_before = kT0 + seconds(60);  // the clock went back past the backdating
    add(R("CA not yet valid starts a rotation", v, kT0, {}, {CertStep::kStartCaRotation}));
  }
  // A pending CA.
  SecretView pending = Healthy();
  pending.next = Ca("CA-B", kT0 + seconds(1700));
  add(R("pending CA waits for the bundle to be published", pending, kT0, std::nullopt, {}, true));
  add(R("pending CA waits one second short of the propagation delay", pending, kT0,
        kT0 - seconds(9), {}, true, kT0 + seconds(1)));
  add(R("pending CA switches once the bundle propagated", pending, kT0, kT0 - seconds(10),
        {CertStep::kSwitchCa, CertStep::kIssueServing}, false, std::nullopt, kT0 + seconds(100)));
  add(R("published-since in the future (clock went back) waits", pending, kT0, kT0 + seconds(30),
        {}, true, kT0 + seconds(40)));
  {
    SecretView v = pending;
    v.serving.reset();
    v.problems = {"tls.crt: missing"};
    add(R("switch without a usable serving cert keeps the old CA until it expires", v, kT0,
          kT0 - seconds(60), {CertStep::kSwitchCa, CertStep::kIssueServing}, false, std::nullopt,
          kT0 + seconds(1000)));
  }
  {
    SecretView v = pending;
    v.next.reset();
    v.next_corrupt = true;
    add(R("corrupt pending CA is discarded", v, kT0, kT0 - seconds(60),
          {CertStep::kDiscardNextCa}));
    v.active = Ca("CA-A", kT0 + seconds(200));
    v.serving = Serving(kT0 + seconds(150));
    add(R("corrupt pending CA is discarded and a new rotation starts", v, kT0, {},
          {CertStep::kDiscardNextCa, CertStep::kStartCaRotation}));
  }
  {
    SecretView v = pending;
    v.next->not_after = kT0;
    v.active = Ca("CA-A", kT0 + seconds(200));
    v.serving = Serving(kT0 + seconds(150));
    add(R("expired pending CA is discarded and replaced", v, kT0, kT0 - seconds(60),
          {CertStep::kDiscardNextCa, CertStep::kStartCaRotation}));
  }
  // The previous CA.
  SecretView overlap = Healthy();
  overlap.previous = Ca("CA-0", kT0 + seconds(200), false);
  overlap.previous_until = kT0 + seconds(50);
  add(R("previous CA kept until the old serving cert expires", overlap, kT0 + seconds(49), {}, {},
        false, kT0 + seconds(50)));
  add(R("previous CA retired exactly at until", overlap, kT0 + seconds(50), {},
        {CertStep::kRetirePreviousCa}));
  {
    SecretView v = overlap;
    v.previous_until.reset();  // unparseable: the previous CA's own NotAfter bounds it
    add(R("no until: kept until the previous CA expires", v, kT0 + seconds(60), {}, {}, false,
          kT0 + seconds(70)));
    v.serving = Serving(kT0 + seconds(500));
    add(R("no until: retired when the previous CA expires", v, kT0 + seconds(200), {},
          {CertStep::kRetirePreviousCa}));
    v.previous_until = kT0 + seconds(100000);
    add(R("until beyond the previous CA's NotAfter is capped", v, kT0 + seconds(200), {},
          {CertStep::kRetirePreviousCa}));
  }
  {
    SecretView v = overlap;
    v.previous.reset();
    v.previous_corrupt = true;
    add(R("corrupt previous CA is retired", v, kT0, {}, {CertStep::kRetirePreviousCa}));
  }
  {
    SecretView v = overlap;
    v.active = Ca("CA-A", kT0 + seconds(250));
    add(R("rotation due while the previous CA is kept waits", v, kT0, {}, {}, true,
          kT0 + seconds(50)));
    v.next = Ca("CA-B", kT0 + seconds(1000));
    add(R("switch waits while the previous CA is kept", v, kT0, kT0 - seconds(60), {}, true));
    add(R("retire and switch in one pass", v, kT0 + seconds(50), kT0 - seconds(60),
          {CertStep::kRetirePreviousCa, CertStep::kSwitchCa, CertStep::kIssueServing}, false,
          std::nullopt, kT0 + seconds(100)));
  }
  // An unusable CA key.
  {
    SecretView v = Healthy();
    v.active->can_sign = false;
    v.problems = {"ca.key: missing"};
    add(R("CA key unusable, serving usable: rotate with overlap", v, kT0, {},
          {CertStep::kStartCaRotation}));
    add(R("CA key unusable, serving due: rotate and wait", v, kT0 + seconds(80), {},
          {CertStep::kStartCaRotation}, true));
    add(R("CA key unusable, serving expired: regenerate", v, kT0 + seconds(100), {},
          {CertStep::kBootstrap}));
  }
  (void)p;
  return rows;
}

TEST(CertPlan, DecideTable) {
  const CertPolicy policy = TestPolicy();
  for (const Row& r : Rows()) {
    SCOPED_TRACE(r.name);
    const CertDecision d = Decide(r.view, r.now, policy, r.published_since);
    std::vector<CertStep> got;
    for (const auto& a : d.actions) {
      got.push_back(a.step);
      EXPECT_FALSE(a.reason.empty()) << StepName(a.step);
    }
    EXPECT_EQ(Names(r.want), Names(got));
    EXPECT_EQ(r.want_waiting, !d.waiting.empty()) << d.waiting;
    if (r.want_next_check) {
      EXPECT_EQ(r.want_next_check->time_since_epoch().count(),
                d.next_check.time_since_epoch().count());
    }
    if (r.want_previous_until) {
      EXPECT_EQ(r.want_previous_until->time_since_epoch().count(),
                d.previous_until.time_since_epoch().count());
    }
  }
}

TEST(CertPlan, ValidatePolicy) {
  CertPolicy p = TestPolicy();
  EXPECT_TRUE(ValidatePolicy(p).ok());
  p.ip_addresses = {"0:0::1"};
  ASSERT_TRUE(ValidatePolicy(p).ok());
  EXPECT_EQ(p.ip_addresses[0], "::1");
  p.ip_addresses = {"not-an-ip"};
  EXPECT_NE(ValidatePolicy(p).message().find("not-an-ip"), std::string::npos);

  p = TestPolicy();
  p.renew_before = p.cert_validity;
  EXPECT_FALSE(ValidatePolicy(p).ok());
  p = TestPolicy();
  p.ca_renew_before = p.renew_before + p.propagation_delay;
  EXPECT_NE(ValidatePolicy(p).message().find("ca-renew-before"), std::string::npos);
  p = TestPolicy();
  p.ca_validity = p.ca_renew_before + p.cert_validity;
  EXPECT_NE(ValidatePolicy(p).message().find("ca-validity"), std::string::npos);
  p = TestPolicy();
  p.dns_names.clear();
  p.ip_addresses.clear();
  EXPECT_FALSE(ValidatePolicy(p).ok());
}

// Real PEM data: the view InspectSecret builds, and what corrupt data turns into.
class InspectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ValidatePolicy(policy_).ok());
    auto d = ApplyDecision({}, Decide(InspectSecret(nullptr), kT0, policy_, {}), kT0, policy_);
    ASSERT_TRUE(d.ok()) << d.status().message();
    data_ = *d;
  }
  CertPolicy policy_ = TestPolicy();
  SecretData data_;
};

TEST_F(InspectTest, BootstrappedSecretIsHealthy) {
  const SecretView v = InspectSecret(&data_);
  EXPECT_TRUE(v.problems.empty()) << v.problems[0];
  ASSERT_TRUE(v.active && v.serving);
  EXPECT_TRUE(v.active->can_sign);
  EXPECT_TRUE(v.serving->issued_by_active);
  EXPECT_EQ(v.active->not_after, kT0 + seconds(1000));
  EXPECT_EQ(v.serving->not_after, kT0 + seconds(100));
  EXPECT_EQ(v.serving->ip_addresses, std::vector<std::string>{"127.0.0.1"});
  EXPECT_TRUE(Decide(v, kT0, policy_, {}).actions.empty());
  EXPECT_EQ(DesiredBundle(v), data_[kSecretCaCert]);
}

TEST_F(InspectTest, CorruptDataIsReportedAndRegenerated) {
  struct Case {
    std::string name;
    std::map<std::string, std::string> set;  // "" = erase
    std::string want_problem;
    CertStep want_first;
  };
  auto other = GenerateCa("other", seconds(1000), kT0);
  ASSERT_TRUE(other.ok());
  const std::vector<Case> cases = {
      {"garbage CA",
       {{kSecretCaCert, "garbage"}},
       "ca.crt: no PEM certificate",
       CertStep::kBootstrap},
      {"truncated CA",
       {{kSecretCaCert, data_[kSecretCaCert].substr(0, 100)}},
       "ca.crt:",
       CertStep::kBootstrap},
      {"serving cert in ca.crt",
       {{kSecretCaCert, data_[kSecretTlsCert]}},
       "ca.crt: not a CA certificate",
       CertStep::kBootstrap},
      {"missing CA key, serving fine",
       {{kSecretCaKey, ""}},
       "ca.key: missing",
       CertStep::kStartCaRotation},
      {"CA key of another CA",
       {{kSecretCaKey, other->key_pem}},
       "ca.key:",
       CertStep::kStartCaRotation},
      {"garbage serving key",
       {{kSecretTlsKey, "-----BEGIN PRIVATE KEY-----\nAAAA\n"}},
       "tls.key:",
       CertStep::kIssueServing},
      {"serving pair swapped for the CA's",
       {{kSecretTlsKey, data_[kSecretCaKey]}},
       "tls.key:",
       CertStep::kIssueServing},
      {"missing serving cert", {{kSecretTlsCert, ""}}, "tls.crt: missing", CertStep::kIssueServing},
      {"pending CA without its key",
       {{kSecretNextCaCert, other->cert_pem}},
       "ca-next.key: missing",
       CertStep::kDiscardNextCa},
      {"garbage previous CA",
       {{kSecretPreviousCaCert, "junk"}},
       "ca-previous.crt:",
       CertStep::kRetirePreviousCa},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    SecretData data = data_;
    for (const auto& [k, v] : c.set) {
      if (v.empty()) {
        data.erase(k);
      } else {
        data[k] = v;
      }
    }
    const SecretView v = InspectSecret(&data);
    std::string problems;
    for (const auto& p : v.problems) problems += p + "\n";
    EXPECT_NE(problems.find(c.want_problem), std::string::npos) << problems;
    const CertDecision d = Decide(v, kT0 + seconds(1), policy_, {});
    ASSERT_FALSE(d.actions.empty());
    EXPECT_EQ(StepName(c.want_first), StepName(d.actions[0].step));
    // Applying the decision (repeatedly, as later passes would) repairs the Secret.
    SecretData repaired = data;
    for (int pass = 0; pass < 3; ++pass) {
      const SecretView rv = InspectSecret(&repaired);
      const CertDecision rd = Decide(rv, kT0 + seconds(1), policy_, kT0 - seconds(60));
      if (rd.actions.empty()) break;
      auto next = ApplyDecision(repaired, rd, kT0 + seconds(1), policy_);
      ASSERT_TRUE(next.ok()) << next.status().message();
      repaired = *next;
    }
    const SecretView fixed = InspectSecret(&repaired);
    EXPECT_TRUE(fixed.problems.empty()) << fixed.problems[0];
    EXPECT_TRUE(fixed.serving && fixed.serving->issued_by_active);
  }
}

TEST_F(InspectTest, UnparseableUntilFallsBackToTheCaNotAfter) {
  SecretData data = data_;
  data[kSecretPreviousCaCert] = data_[kSecretCaCert];
  data[kSecretPreviousUntil] = "tomorrow";
  const SecretView v = InspectSecret(&data);
  EXPECT_FALSE(v.previous_until);
  ASSERT_TRUE(v.previous);
  EXPECT_FALSE(v.problems.empty());
  // The same certificate in two roles is one bundle entry.
  EXPECT_EQ(DesiredBundle(v), data_[kSecretCaCert]);
}

std::vector<std::string> SplitBundle(const std::string& bundle) {
  std::vector<std::string> out;
  const std::string end = "-----END CERTIFICATE-----\n";
  size_t start = 0;
  for (size_t pos; (pos = bundle.find(end, start)) != std::string::npos; start = pos + end.size()) {
    out.push_back(bundle.substr(start, pos + end.size() - start));
  }
  return out;
}

bool ChainsTo(const std::string& cert, const std::string& bundle) {
  for (const auto& ca : SplitBundle(bundle)) {
    if (CheckIssuedBy(cert, ca).ok()) return true;
  }
  return false;
}

// A simulation over several CA lifetimes. The "apiserver" trusts the
// bundle published propagation_delay ago; replicas serve either the Secret's certificate or
// (lagging) the one before it. At every second, every still-valid certificate any replica may
// serve must chain to a CA in the bundle the apiserver trusts.
TEST(CertPlan, RotationSimulationKeepsEveryServedCertificateTrusted) {
  CertPolicy policy = TestPolicy();
  ASSERT_TRUE(ValidatePolicy(policy).ok());
  SecretData data;
  bool exists = false;
  std::map<TimePoint, std::string> bundle_history;  // when a bundle was published
  std::string published;
  std::optional<TimePoint> since;
  std::vector<std::string> served;  // every serving cert the Secret ever held, in order
  std::map<std::string, TimePoint> served_not_after;
  int switches = 0, issues = 0, retires = 0;
  // 2 s steps (the windows are multiples of 10 s; the table covers the 1 s edges).
  const TimePoint end = kT0 + seconds(2300);
  for (TimePoint now = kT0; now < end; now += seconds(2)) {
    SecretView view = InspectSecret(exists ? &data : nullptr);
    const CertDecision d = Decide(view, now, policy, since);
    if (!d.actions.empty()) {
      auto next = ApplyDecision(data, d, now, policy);
      ASSERT_TRUE(next.ok()) << next.status().message();
      data = *next;
      exists = true;
      for (const auto& a : d.actions) {
        switches += a.step == CertStep::kSwitchCa;
        issues += a.step == CertStep::kIssueServing;
        retires += a.step == CertStep::kRetirePreviousCa;
        ASSERT_NE(a.step, CertStep::kDiscardNextCa) << "a healthy lifecycle discards no CA";
        ASSERT_TRUE(a.step != CertStep::kBootstrap || now == kT0) << "unexpected regeneration";
      }
      view = InspectSecret(&data);
      if (served.empty() || served.back() != data[kSecretTlsCert]) {
        served.push_back(data[kSecretTlsCert]);
        served_not_after[served.back()] = view.serving->not_after;
      }
    }
    const std::string bundle = DesiredBundle(view);
    if (bundle != published) {
      published = bundle;
      since = now;
      bundle_history[now] = bundle;
    }
    // The bundle the apiserver trusts: the newest published at least propagation_delay ago
    // (before that, the first one — the webhook configuration is created with it).
    auto trusted = bundle_history.upper_bound(now - policy.propagation_delay);
    const std::string& apiserver_bundle = trusted == bundle_history.begin()
                                              ? bundle_history.begin()->second
                                              : std::prev(trusted)->second;
    // And what a replica that has not yet re-read the Secret still serves.
    for (size_t i = served.size() >= 2 ? served.size() - 2 : 0; i < served.size(); ++i) {
      if (now >= served_not_after[served[i]]) continue;  // expired: nobody serves it
      ASSERT_TRUE(ChainsTo(served[i], apiserver_bundle))
          << "at T0+" << (now - kT0).count() / 1000000000 << "s served certificate #" << i
          << " does not chain to the trusted bundle";
      ASSERT_TRUE(ChainsTo(served[i], bundle))
          << "at T0+" << (now - kT0).count() / 1000000000 << "s served certificate #" << i
          << " left the bundle while still valid";
    }
    ASSERT_LE(SplitBundle(bundle).size(), 2u);
  }
  EXPECT_GE(switches, 3);
  EXPECT_GE(retires, 2);
  EXPECT_GE(issues, 28);
}

}  // namespace
}  // namespace limen::webhook

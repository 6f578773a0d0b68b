// Certificates: a generated CA signs a serving certificate with the requested SANs; pairs
// are checked; garbage is an error, not a crash.
#include "limen/webhook/certs.h"

#include <gtest/gtest.h>

namespace limen::webhook {
namespace {

TEST(Certs, CaSignsAServingCertificate) {
  const auto now = std::chrono::system_clock::now();
  auto ca = GenerateCa("test-ca", std::chrono::hours(48), now);
  ASSERT_TRUE(ca.ok()) << ca.status().message();
  auto ca_info = InspectCertificate(ca->cert_pem);
  ASSERT_TRUE(ca_info.ok());
  EXPECT_TRUE(ca_info->is_ca);
  EXPECT_EQ(ca_info->subject, "CN=test-ca");

  auto serving = IssueServingCert(*ca, "limen-webhook", {"limen-webhook.limen-system.svc"},
                                  {"127.0.0.1"}, std::chrono::hours(24), now);
  ASSERT_TRUE(serving.ok()) << serving.status().message();
  auto info = InspectCertificate(serving->cert_pem);
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->is_ca);
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(info->not_after - now).count();
  EXPECT_GE(hours, 23);
  EXPECT_LE(hours, 24);
  EXPECT_TRUE(CheckKeyPair(serving->cert_pem, serving->key_pem).ok());
  EXPECT_FALSE(CheckKeyPair(serving->cert_pem, ca->key_pem).ok());
}

TEST(Certs, GarbageIsAnError) {
  EXPECT_FALSE(InspectCertificate("not a pem").ok());
  EXPECT_FALSE(CheckKeyPair("", "").ok());
  KeyPair bad{"x", "y"};
  EXPECT_FALSE(
      IssueServingCert(bad, "x", {"a"}, {}, std::chrono::hours(1), std::chrono::system_clock::now())
          .ok());
  auto ca = GenerateCa("ca", std::chrono::hours(1), std::chrono::system_clock::now());
  ASSERT_TRUE(ca.ok());
  EXPECT_FALSE(
      IssueServingCert(*ca, "x", {}, {}, std::chrono::hours(1), std::chrono::system_clock::now())
          .ok());
}

}  // namespace
}  // namespace limen::webhook

#include "limen/serving/health.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace limen::serving {
namespace {

using Kind = HealthChecks::Kind;

TEST(HealthChecksTest, AllPassingIsOkAndVerboseListsChecks) {
  HealthChecks h;
  h.Add(Kind::kLiveness, "ping", [] { return Status::Ok(); });
  h.Add(Kind::kReadiness, "informers-synced", [] { return Status::Ok(); });
  EXPECT_EQ(h.Evaluate(Kind::kReadiness, false).body, "ok");
  Response v = h.Evaluate(Kind::kReadiness, true);
  EXPECT_EQ(v.status, 200);
  EXPECT_EQ(v.body, "[+]ping ok\n[+]informers-synced ok\nreadyz check passed\n");
}

TEST(HealthChecksTest, ReadinessFailureDoesNotAffectLiveness) {
  HealthChecks h;
  h.Add(Kind::kLiveness, "ping", [] { return Status::Ok(); });
  h.Add(Kind::kReadiness, "certificate",
        [] { return Status::Unavailable("no certificate loaded"); });
  EXPECT_EQ(h.Evaluate(Kind::kLiveness, false).status, 200);
  Response r = h.Evaluate(Kind::kReadiness, false);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body,
            "[+]ping ok\n[-]certificate failed: no certificate loaded\nreadyz check failed: "
            "certificate\n");
}

TEST(HealthChecksTest, ThrowingCheckFailsInsteadOfCrashing) {
  HealthChecks h;
  h.Add(Kind::kLiveness, "loop", []() -> Status { throw std::runtime_error("stuck"); });
  Response r = h.Evaluate(Kind::kLiveness, false);
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.body.find("check threw: stuck"), std::string::npos);
}

}  // namespace
}  // namespace limen::serving

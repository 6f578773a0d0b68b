#include "limen/base/status.h"

#include <gtest/gtest.h>

#include <string>

namespace limen {
namespace {

StatusOr<int> ParsePort(const std::string& s) {
  if (s.empty()) return Status::InvalidArgument("port is empty");
  int v = std::stoi(s);
  if (v <= 0 || v > 65535) return Status::InvalidArgument("port " + s + " is outside 1-65535");
  return v;
}

Status UsePort(const std::string& s, int* out) {
  LIMEN_ASSIGN_OR_RETURN(*out, ParsePort(s));
  return Status::Ok();
}

Status Chain(const std::string& s) {
  int port = 0;
  LIMEN_RETURN_IF_ERROR(UsePort(s, &port).WithContext("spec.upstreams[0].port"));
  return Status::Ok();
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_EQ(s.WithContext("ignored"), Status::Ok());
}

TEST(StatusTest, ToStringNamesCodeAndMessage) {
  EXPECT_EQ(Status::NotFound("configmaps \"x\" not found").ToString(),
            "NotFound: configmaps \"x\" not found");
}

TEST(StatusTest, WithContextPrefixesMessageAndKeepsCode) {
  Status s = Status::Conflict("the object has been modified").WithContext("update lease");
  EXPECT_EQ(s.code(), StatusCode::kConflict);
  EXPECT_EQ(s.message(), "update lease: the object has been modified");
}

TEST(StatusOrTest, HoldsValueOrError) {
  auto ok = ParsePort("8080");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 8080);
  EXPECT_TRUE(ok.status().ok());

  auto bad = ParsePort("70000");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.value_or(-1), -1);
}

TEST(StatusOrTest, MacrosPropagateWithContext) {
  EXPECT_TRUE(Chain("443").ok());
  Status s = Chain("");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "spec.upstreams[0].port: port is empty");
}

TEST(StatusCodeTest, EveryCodeHasAName) {
  for (int c = 0; c <= static_cast<int>(StatusCode::kInternal); ++c) {
    EXPECT_NE(StatusCodeName(static_cast<StatusCode>(c)), "Unknown") << c;
  }
}

}  // namespace
}  // namespace limen

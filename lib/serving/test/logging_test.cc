#include "limen/serving/logging.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace limen::serving {
namespace {

TEST(JsonEscapeTest, EscapesQuotesControlsAndKeepsUtf8) {
  EXPECT_EQ(JsonEscape("a\"b\\c\n\t\x01"), "a\\\"b\\\\c\\n\\t\\u0001");
  EXPECT_EQ(JsonEscape("µs → ok"), "µs → ok");
}

TEST(JsonEscapeTest, InvalidUtf8BecomesReplacementAndStaysValidJson) {
  const std::string bad = std::string("x") + '\xff' + '\xc3' + "y";
  const std::string line = "{\"msg\":\"" + JsonEscape(bad) + "\"}";
  auto j = nlohmann::json::parse(line, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << line;
  EXPECT_EQ(j["msg"], "x\xEF\xBF\xBD\xEF\xBF\xBDy");
}

TEST(InitLoggingTest, RejectsUnknownLevel) {
  Status s = InitLogging("test", "loud", LogFormat::kJson);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("'loud'"), std::string::npos);
  EXPECT_TRUE(InitLogging("test", "info", LogFormat::kJson).ok());
  EXPECT_TRUE(InitLogging("test", "debug", LogFormat::kText).ok());
}

}  // namespace
}  // namespace limen::serving

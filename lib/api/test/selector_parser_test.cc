#include <gtest/gtest.h>

#include "limen/api/selector.h"

namespace limen::api {
namespace {

struct ParseCase {
  const char* text;
  const char* canonical;  // Selector::String() of the result
};

TEST(ParseSelectorTest, AcceptsQueryParameterSyntax) {
  const ParseCase cases[] = {
      {"", ""},
      {"   ", ""},
      {"a=b", "a=b"},
      {"a==b", "a==b"},
      {"a!=b", "a!=b"},
      {"a=b,c!=d,e in (x,y),!f", "a=b,c!=d,e in (x,y),!f"},
      {"e in (y, x ,x)", "e in (x,y)"},
      {"e notin (x)", "e notin (x)"},
      {"tier notin (db),app in (web)", "app in (web),tier notin (db)"},
      {"f", "f"},
      {"!f", "!f"},
      {"  !  f  ,  g  ", "!f,g"},
      {"a=", "a="},
      {"a=,b", "a=,b"},
      {"a in ()", "a in ()"},
      {"a in (,)", "a in ()"},
      {"a in (x,)", "a in (,x)"},
      {"a in (,x)", "a in (,x)"},
      {"a in (x,,y)", "a in (,x,y)"},
      {"n>3,m<10", "m<10,n>3"},
      {"example.com/app=web", "example.com/app=web"},
      {"in=notin", "in=notin"},
      {"a in (in,notin)", "a in (in,notin)"},
      {"a\tin\t(\tb\t)", "a in (b)"},
  };
  for (const auto& c : cases) {
    const auto s = ParseSelector(c.text);
    ASSERT_TRUE(s.ok()) << c.text << ": " << s.status().ToString();
    EXPECT_EQ(s->String(), c.canonical) << c.text;
    const auto again = ParseSelector(s->String());
    ASSERT_TRUE(again.ok()) << c.text;
    EXPECT_EQ(*again, *s) << c.text;
  }
}

TEST(ParseSelectorTest, Evaluates) {
  const auto s = ParseSelector("app in (web,api),tier!=db,!canary,n>2");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->Matches({{"app", "web"}, {"n", "3"}}));
  EXPECT_TRUE(s->Matches({{"app", "api"}, {"tier", "frontend"}, {"n", "9"}}));
  EXPECT_FALSE(s->Matches({{"app", "web"}, {"tier", "db"}, {"n", "3"}}));
  EXPECT_FALSE(s->Matches({{"app", "web"}, {"canary", ""}, {"n", "3"}}));
  EXPECT_FALSE(s->Matches({{"app", "web"}, {"n", "2"}}));
  EXPECT_FALSE(s->Matches({{"n", "3"}}));
  EXPECT_TRUE(ParseSelector("")->Matches({}));
  EXPECT_TRUE(ParseSelector("a=")->Matches({{"a", ""}}));
  EXPECT_FALSE(ParseSelector("a=")->Matches({}));
}

struct ErrorCase {
  const char* text;
  const char* message;  // after `invalid label selector "<text>": `
};

TEST(ParseSelectorTest, RejectsWithPreciseErrors) {
  const ErrorCase cases[] = {
      {"a in (x", "at offset 7: found end of string, expected ',' or ')'"},
      {"a in x", "at offset 5: found 'x', expected '('"},
      {"a in (x y)", "at offset 8: found 'y', expected ',' or ')'"},
      {"a in (=)", "at offset 6: found '=', expected a label value, ',' or ')'"},
      {"a=b,", "at offset 4: found end of string, expected '!' or a label key"},
      {",a", "at offset 0: found ',', expected '!' or a label key"},
      {"a=b c", "at offset 4: found 'c', expected ',' or end of string"},
      {"!a=b", "at offset 2: found '=', expected ',' or end of string after '!a'"},
      {"!", "at offset 1: found end of string, expected a label key after '!'"},
      {"!!a", "at offset 1: found '!', expected a label key after '!'"},
      {"a===b", "at offset 3: found '=', expected a label value"},
      {"a b",
       "at offset 2: found 'b', expected one of '=', '==', '!=', 'in', 'notin', '>', "
       "'<', ',' or end of string"},
      {"-a=b",
       "at offset 0: invalid label key \"-a\": name part must be 63 characters or less, "
       "consist of alphanumeric characters, '-', '_' or '.', and start and end with an "
       "alphanumeric character"},
      {"a/b/c=d", "at offset 0: invalid label key \"a/b/c\": at most one '/' is allowed"},
      {"a=b!", "at offset 3: found '!', expected ',' or end of string"},
      {"n>x",
       "at offset 0: label selector requirement on \"n\": for 'Gt', 'Lt' operators, the "
       "value must be an integer"},
      {"n>",
       "at offset 0: label selector requirement on \"n\": for 'Gt', 'Lt' operators, the "
       "value must be an integer"},
      {"a=-b",
       "at offset 0: invalid label value \"-b\": must be 63 characters or less, consist "
       "of alphanumeric characters, '-', '_' or '.', and start and end with an "
       "alphanumeric character"},
  };
  for (const auto& c : cases) {
    const auto s = ParseSelector(c.text);
    ASSERT_FALSE(s.ok()) << c.text;
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.status().message(),
              "invalid label selector \"" + std::string(c.text) + "\": " + c.message)
        << c.text;
  }
}

TEST(ParseSelectorTest, AgreesWithLabelSelector) {
  LabelSelector api;
  api.match_labels = {{"app", "web"}};
  api.match_expressions.push_back({"env", "NotIn", {"prod"}, {}});
  api.match_expressions.push_back({"canary", "DoesNotExist", {}, {}});
  const auto from_api = ToSelector(&api);
  ASSERT_TRUE(from_api.ok());
  const auto parsed = ParseSelector(from_api->String());
  ASSERT_TRUE(parsed.ok()) << from_api->String();
  EXPECT_EQ(*parsed, *from_api);
}

}  // namespace
}  // namespace limen::api

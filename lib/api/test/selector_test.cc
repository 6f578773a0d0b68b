#include "limen/api/selector.h"

#include <gtest/gtest.h>

namespace limen::api {
namespace {

LabelSelectorRequirement Expr(std::string key, std::string op, std::vector<std::string> values) {
  LabelSelectorRequirement r;
  r.key = std::move(key);
  r.op = std::move(op);
  r.values = std::move(values);
  return r;
}

struct MatchCase {
  const char* name;
  LabelSelector selector;
  Labels labels;
  bool want;
};

TEST(LabelSelectorTest, MatchesLikeApimachinery) {
  const Labels web = {{"app", "web"}, {"tier", "frontend"}};
  const MatchCase cases[] = {
      {"empty selects everything", {}, web, true},
      {"empty selects unlabelled", {}, {}, true},
      {"matchLabels hit", {{{"app", "web"}}, {}, {}}, web, true},
      {"matchLabels miss value", {{{"app", "api"}}, {}, {}}, web, false},
      {"matchLabels miss key", {{{"zone", "a"}}, {}, {}}, web, false},
      {"matchLabels all must hold", {{{"app", "web"}, {"tier", "db"}}, {}, {}}, web, false},
      {"In hit", {{}, {Expr("app", "In", {"api", "web"})}, {}}, web, true},
      {"In absent key", {{}, {Expr("zone", "In", {"a"})}, {}}, web, false},
      {"NotIn absent key", {{}, {Expr("zone", "NotIn", {"a"})}, {}}, web, true},
      {"NotIn present other", {{}, {Expr("app", "NotIn", {"api"})}, {}}, web, true},
      {"NotIn present same", {{}, {Expr("app", "NotIn", {"web"})}, {}}, web, false},
      {"Exists", {{}, {Expr("tier", "Exists", {})}, {}}, web, true},
      {"Exists absent", {{}, {Expr("zone", "Exists", {})}, {}}, web, false},
      {"DoesNotExist", {{}, {Expr("zone", "DoesNotExist", {})}, {}}, web, true},
      {"DoesNotExist present", {{}, {Expr("app", "DoesNotExist", {})}, {}}, web, false},
      {"labels and expressions",
       {{{"app", "web"}}, {Expr("tier", "In", {"frontend"}), Expr("x", "DoesNotExist", {})}, {}},
       web,
       true},
      {"empty value In", {{}, {Expr("e", "In", {""})}, {}}, {{"e", ""}}, true},
      // Invalid selectors match nothing (apimachinery returns an error instead).
      {"unknown operator", {{}, {Expr("app", "Equals", {"web"})}, {}}, web, false},
      {"In without values", {{}, {Expr("app", "In", {})}, {}}, web, false},
      {"Exists with values", {{}, {Expr("app", "Exists", {"web"})}, {}}, web, false},
      {"bad key", {{{"-app", "web"}}, {}, {}}, web, false},
  };
  for (const auto& c : cases) EXPECT_EQ(c.selector.Matches(c.labels), c.want) << c.name;
}

TEST(ToSelectorTest, NullSelectsNothingEmptySelectsEverything) {
  const auto nothing = ToSelector(nullptr);
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->IsNothing());
  EXPECT_FALSE(nothing->Matches({}));
  EXPECT_FALSE(ToSelector(std::optional<LabelSelector>())->Matches({{"a", "b"}}));
  const LabelSelector empty;
  const auto everything = ToSelector(&empty);
  ASSERT_TRUE(everything.ok());
  EXPECT_TRUE(everything->IsEverything());
  EXPECT_TRUE(everything->Matches({}));
  EXPECT_EQ(everything->String(), "");
}

TEST(ToSelectorTest, StringIsSortedByKey) {
  LabelSelector s;
  s.match_labels = {{"tier", "frontend"}, {"app", "web"}};
  s.match_expressions = {Expr("env", "NotIn", {"prod", "dev"}), Expr("canary", "DoesNotExist", {}),
                         Expr("zone", "Exists", {})};
  const auto sel = ToSelector(&s);
  ASSERT_TRUE(sel.ok()) << sel.status().ToString();
  EXPECT_EQ(sel->String(), "app=web,!canary,env notin (dev,prod),tier=frontend,zone");
}

TEST(ToSelectorTest, Errors) {
  LabelSelector s;
  s.match_expressions = {Expr("app", "Equals", {"web"})};
  EXPECT_EQ(ToSelector(&s).status().message(), "\"Equals\" is not a valid label selector operator");
  s.match_expressions = {Expr("app", "In", {})};
  EXPECT_EQ(ToSelector(&s).status().message(),
            "label selector requirement on \"app\": for 'in', 'notin' operators, values set "
            "can't be empty");
  s.match_expressions = {Expr("app", "DoesNotExist", {"x"})};
  EXPECT_EQ(ToSelector(&s).status().message(),
            "label selector requirement on \"app\": values set must be empty for exists and "
            "does not exist");
  s.match_expressions = {Expr("app", "In", {"bad value"})};
  EXPECT_EQ(ToSelector(&s).status().message(),
            "invalid label value \"bad value\": must be 63 characters or less, consist of "
            "alphanumeric characters, '-', '_' or '.', and start and end with an alphanumeric "
            "character");
}

struct KeyCase {
  std::string key;
  bool valid;
};

TEST(ValidateLabelKeyTest, QualifiedNames) {
  const KeyCase cases[] = {
      {"app", true},
      {"app.kubernetes.io/name", true},
      {"limen.dev/inject", true},
      {"A_b-c.D", true},
      {"a", true},
      {std::string(63, 'a'), true},
      {std::string(64, 'a'), false},
      {"", false},
      {"-a", false},
      {"a-", false},
      {"/a", false},
      {"a/", false},
      {"a/b/c", false},
      {"Example.com/a", false},
      {"ex_ample.com/a", false},
      {std::string(254, 'a') + "/b", false},
      {"a b", false},
  };
  for (const auto& c : cases) EXPECT_EQ(ValidateLabelKey(c.key).ok(), c.valid) << c.key;
  EXPECT_EQ(ValidateLabelKey("a/").message(),
            "invalid label key \"a/\": name part must be non-empty");
  EXPECT_TRUE(ValidateLabelValue("").ok());
  EXPECT_FALSE(ValidateLabelValue(std::string(64, 'v')).ok());
}

TEST(RequirementTest, GreaterAndLessThan) {
  const auto gt = MakeRequirement("n", SelectorOperator::kGreaterThan, {"3"});
  ASSERT_TRUE(gt.ok());
  EXPECT_TRUE(gt->Matches({{"n", "4"}}));
  EXPECT_FALSE(gt->Matches({{"n", "3"}}));
  EXPECT_FALSE(gt->Matches({{"n", "x"}}));
  EXPECT_FALSE(gt->Matches({}));
  EXPECT_FALSE(MakeRequirement("n", SelectorOperator::kLessThan, {"x"}).ok());
  EXPECT_FALSE(MakeRequirement("n", SelectorOperator::kLessThan, {"1", "2"}).ok());
}

TEST(RequirementTest, ValuesAreSortedAndUnique) {
  const auto r = MakeRequirement("a", SelectorOperator::kIn, {"z", "b", "z"});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->values, (std::vector<std::string>{"b", "z"}));
  EXPECT_EQ(r->String(), "a in (b,z)");
}

TEST(LabelSelectorTest, JsonRoundTripKeepsUnknownFields) {
  const Json j = Json::parse(
      R"({"matchLabels":{"app":"web"},"matchExpressions":[{"key":"t","operator":"In","values":["a"],"future":1}],"extra":true})");
  const auto s = Decode<LabelSelector>(j);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->match_expressions[0].op, "In");
  EXPECT_EQ(Encode(*s), j);
}

}  // namespace
}  // namespace limen::api

#include "limen/api/codec.h"

#include <gtest/gtest.h>

namespace limen::api {
namespace {

struct Inner {
  int64_t count = 0;
  std::optional<int64_t> limit;
  Json source;
  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("count", s.count);
    f("limit", s.limit);
  }
};

struct Outer {
  std::string name;
  bool enabled = false;
  std::vector<Inner> items;
  std::map<std::string, std::string> tags;
  std::optional<Inner> single;
  std::optional<Time> at;
  Json config;
  Json source;
  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("name", s.name);
    f("enabled", s.enabled);
    f("items", s.items);
    f("tags", s.tags);
    f("single", s.single);
    f("at", s.at);
    f("config", s.config);
  }
};

TEST(CodecTest, RoundTripKeepsUnknownFieldsAndPresence) {
  const Json j = Json::parse(R"({
    "name": "x", "enabled": false, "newField": {"a": [1, 2]},
    "items": [{"count": 0, "limit": 0, "later": "kept"}, {}],
    "tags": {}, "single": {"count": 3}, "at": "2024-05-01T10:00:00Z",
    "config": {"free": ["form", 1.5, null]}, "nothing": null})");
  const auto o = Decode<Outer>(j);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->items.size(), 2u);
  EXPECT_EQ(o->items[0].limit, 0);
  EXPECT_FALSE(o->items[1].limit.has_value());
  EXPECT_EQ(Encode(*o), j);
}

TEST(CodecTest, EncodeOverlaysChanges) {
  auto o =
      *Decode<Outer>(Json::parse(R"({"name":"x","unknown":1,"single":{"count":1,"limit":5}})"));
  o.name = "y";
  o.enabled = true;
  o.single->limit.reset();
  o.items.push_back(Inner{7, 8, {}});
  EXPECT_EQ(Encode(o), Json::parse(R"({"name":"y","enabled":true,"unknown":1,
                                       "single":{"count":1},"items":[{"count":7,"limit":8}]})"));
}

TEST(CodecTest, FreshValuesOmitZeroFields) {
  Outer o;
  EXPECT_EQ(Encode(o), Json::object());
  o.single.emplace();
  EXPECT_EQ(Encode(o), Json::parse(R"({"single":{}})"));
}

TEST(CodecTest, ErrorsNameTheFieldPath) {
  const std::pair<const char*, const char*> cases[] = {
      {R"([])", "expected object, got array"},
      {R"({"name": 1})", "name: expected string, got number"},
      {R"({"enabled": "yes"})", "enabled: expected boolean, got string"},
      {R"({"items": {}})", "items: expected array, got object"},
      {R"({"items": [{}, {"count": "3"}]})", "items[1].count: expected integer, got string"},
      {R"({"items": [{"count": 1.5}]})", "items[0].count: expected integer, got number"},
      {R"({"single": {"limit": true}})", "single.limit: expected integer, got boolean"},
      {R"({"tags": {"a": 1}})", "tags.a: expected string, got number"},
      {R"({"single": {"count": 18446744073709551615}})",
       "single.count: integer out of int64 range"},
      {R"({"at": 5})", "at: expected string (RFC 3339 time), got number"},
  };
  for (const auto& [text, message] : cases) {
    const auto o = Decode<Outer>(Json::parse(text));
    ASSERT_FALSE(o.ok()) << text;
    EXPECT_EQ(o.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(o.status().message(), message) << text;
  }
}

TEST(CodecTest, ParseJsonNeverThrows) {
  EXPECT_FALSE(ParseJson("{").ok());
  EXPECT_FALSE(ParseJson("").ok());
  EXPECT_EQ(*ParseJson(R"({"a":1})"), Json::parse(R"({"a":1})"));
}

}  // namespace
}  // namespace limen::api

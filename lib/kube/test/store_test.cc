#include "limen/kube/store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "fake_client.h"

namespace limen::kube {
namespace {

using testing::MakeObject;

ObjectPtr Ptr(Object o) { return std::make_shared<const Object>(std::move(o)); }

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(StoreTest, KeysAreNamespaceSlashNameOrNameWhenClusterScoped) {
  EXPECT_EQ(ObjectKey(MakeObject("ns", "a")), "ns/a");
  EXPECT_EQ(ObjectKey(MakeObject("", "node-1")), "node-1");
  EXPECT_EQ(ObjectKey(Object::object()), "");
}

TEST(StoreTest, UpsertGetRemoveAndNamespaceIndex) {
  Store s;
  EXPECT_EQ(s.Upsert("a/x", Ptr(MakeObject("a", "x", "1"))), nullptr);
  s.Upsert("b/y", Ptr(MakeObject("b", "y", "2")));
  ObjectPtr old = s.Upsert("a/x", Ptr(MakeObject("a", "x", "3")));
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(ObjectResourceVersion(*old), "1");
  EXPECT_EQ(ObjectResourceVersion(*s.Get("a/x")), "3");
  EXPECT_EQ(s.IndexKeys(kNamespaceIndex, "a"), std::vector<std::string>{"a/x"});
  EXPECT_EQ(s.Size(), 2u);
  EXPECT_NE(s.Remove("a/x"), nullptr);
  EXPECT_EQ(s.Remove("a/x"), nullptr);
  EXPECT_TRUE(s.ByIndex(kNamespaceIndex, "a").empty());
  EXPECT_EQ(s.Get("a/x"), nullptr);
}

TEST(StoreTest, CustomIndexFollowsUpdates) {
  Store s({{"by-app", [](const Object& o) {
              std::vector<std::string> out;
              if (o.contains("data") && o["data"].contains("app")) out.push_back(o["data"]["app"]);
              return out;
            }}});
  s.Upsert("n/a", Ptr(MakeObject("n", "a", "1", {{"app", "web"}})));
  s.Upsert("n/b", Ptr(MakeObject("n", "b", "1", {{"app", "web"}})));
  EXPECT_EQ(Sorted(s.IndexKeys("by-app", "web")), (std::vector<std::string>{"n/a", "n/b"}));
  s.Upsert("n/a", Ptr(MakeObject("n", "a", "2", {{"app", "db"}})));
  EXPECT_EQ(s.IndexKeys("by-app", "web"), std::vector<std::string>{"n/b"});
  EXPECT_EQ(s.IndexKeys("by-app", "db"), std::vector<std::string>{"n/a"});
  EXPECT_TRUE(s.IndexKeys("no-such-index", "db").empty());
}

TEST(StoreTest, WithoutTheNamespaceIndexCustomIndexesStillWork) {
  Store s({{"by-app",
            [](const Object& o) { return std::vector<std::string>{o["data"].value("app", "")}; }}},
          StoreOptions{.namespace_index = false});
  s.Upsert("n/a", Ptr(MakeObject("n", "a", "1", {{"app", "web"}})));
  s.Replace({{"n/b", Ptr(MakeObject("n", "b", "1", {{"app", "web"}}))}});
  EXPECT_TRUE(s.IndexKeys(kNamespaceIndex, "n").empty());
  EXPECT_EQ(s.IndexKeys("by-app", "web"), std::vector<std::string>{"n/b"});
  EXPECT_NE(s.Remove("n/b"), nullptr);
  EXPECT_TRUE(s.IndexKeys("by-app", "web").empty());
  EXPECT_EQ(s.Size(), 0u);
}

TEST(StoreTest, ReplaceSwapsContentsAndIndexesAtomically) {
  Store s;
  s.Upsert("a/old", Ptr(MakeObject("a", "old")));
  // Readers must see either the old state (1 object, ns a) or the new one (100 in ns b).
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!done) {
      auto all = s.List();
      if (all.size() != 1 && all.size() != 100) ++torn;
    }
  });
  Store::Items fresh;
  for (int i = 0; i < 100; ++i)
    fresh["b/" + std::to_string(i)] = Ptr(MakeObject("b", std::to_string(i)));
  Store::Items old = s.Replace(std::move(fresh));
  done = true;
  reader.join();
  EXPECT_EQ(torn, 0);
  EXPECT_EQ(old.size(), 1u);
  EXPECT_EQ(s.ByIndex(kNamespaceIndex, "b").size(), 100u);
  EXPECT_TRUE(s.ByIndex(kNamespaceIndex, "a").empty());
}

// The same observable behaviour in plain and compact mode.
class StoreModeTest : public ::testing::TestWithParam<bool> {
 protected:
  static std::vector<std::string> ByApp(const Object& o) {
    std::vector<std::string> out;
    if (o.contains("data") && o["data"].contains("app")) out.push_back(o["data"]["app"]);
    return out;
  }
  Store s_{{{"by-app", ByApp}}, StoreOptions{.compact = GetParam()}};
};

std::vector<std::string> Names(const std::vector<ObjectPtr>& objs) {
  std::vector<std::string> out;
  out.reserve(objs.size());
  for (const auto& o : objs) out.push_back(ObjectKey(*o) + "@" + ObjectResourceVersion(*o));
  return Sorted(out);
}

TEST_P(StoreModeTest, ReadsReturnWhatWasWritten) {
  // Every JSON type, nesting, non-ASCII text, large and negative numbers survive the encoding.
  Object data = {{"app", "web"},
                 {"n", -42},
                 {"big", 9007199254740993LL},
                 {"u", 18446744073709551615ULL},
                 {"f", 0.25},
                 {"t", true},
                 {"z", nullptr},
                 {"s", "grüße, 日本"},
                 {"list", {1, "two", Object::object(), Object::array()}}};
  Object obj = MakeObject("n", "a", "7", data);
  EXPECT_EQ(s_.Upsert("n/a", Ptr(obj)), nullptr);
  ASSERT_NE(s_.Get("n/a"), nullptr);
  EXPECT_EQ(*s_.Get("n/a"), obj);
  EXPECT_EQ(s_.Get("n/missing"), nullptr);
  ASSERT_EQ(s_.List().size(), 1u);
  EXPECT_EQ(*s_.List()[0], obj);
  ASSERT_EQ(s_.ByIndex("by-app", "web").size(), 1u);
  EXPECT_EQ(*s_.ByIndex("by-app", "web")[0], obj);
  EXPECT_EQ(s_.ListKeys(), std::vector<std::string>{"n/a"});
}

TEST_P(StoreModeTest, UpsertAndRemoveReturnPreviousAndMoveIndexes) {
  s_.Upsert("n/a", Ptr(MakeObject("n", "a", "1", {{"app", "web"}})));
  s_.Upsert("n/b", Ptr(MakeObject("n", "b", "1", {{"app", "web"}})));
  s_.Upsert("m/c", Ptr(MakeObject("m", "c", "1", {{"app", "db"}})));
  ObjectPtr old = s_.Upsert("n/a", Ptr(MakeObject("n", "a", "2", {{"app", "db"}})));
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(*old, MakeObject("n", "a", "1", {{"app", "web"}}));
  EXPECT_EQ(Names(s_.ByIndex("by-app", "web")), std::vector<std::string>{"n/b@1"});
  EXPECT_EQ(Names(s_.ByIndex("by-app", "db")), (std::vector<std::string>{"m/c@1", "n/a@2"}));
  EXPECT_EQ(Names(s_.ByIndex(kNamespaceIndex, "n")), (std::vector<std::string>{"n/a@2", "n/b@1"}));
  EXPECT_TRUE(s_.ByIndex("no-such-index", "db").empty());
  EXPECT_TRUE(s_.ByIndex("by-app", "no-such-value").empty());

  ObjectPtr removed = s_.Remove("n/b");
  ASSERT_NE(removed, nullptr);
  EXPECT_EQ(ObjectResourceVersion(*removed), "1");
  EXPECT_EQ(s_.Remove("n/b"), nullptr);
  EXPECT_TRUE(s_.ByIndex("by-app", "web").empty());
  EXPECT_TRUE(s_.IndexKeys("by-app", "web").empty());
  EXPECT_EQ(s_.Size(), 2u);
  EXPECT_EQ(Names(s_.List()), (std::vector<std::string>{"m/c@1", "n/a@2"}));
}

TEST_P(StoreModeTest, ReplaceReturnsPreviousContentsAndReindexes) {
  s_.Upsert("n/a", Ptr(MakeObject("n", "a", "1", {{"app", "web"}})));
  s_.Upsert("n/b", Ptr(MakeObject("n", "b", "1", {{"app", "web"}})));
  Store::Items fresh;
  fresh["n/b"] = Ptr(MakeObject("n", "b", "2", {{"app", "db"}}));
  fresh["m/c"] = Ptr(MakeObject("m", "c", "1", {{"app", "web"}}));
  Store::Items old = s_.Replace(fresh);
  ASSERT_EQ(old.size(), 2u);
  EXPECT_EQ(*old.at("n/a"), MakeObject("n", "a", "1", {{"app", "web"}}));
  EXPECT_EQ(ObjectResourceVersion(*old.at("n/b")), "1");
  EXPECT_EQ(*s_.Get("n/b"), *fresh.at("n/b"));
  EXPECT_EQ(s_.Get("n/a"), nullptr);
  EXPECT_EQ(Names(s_.ByIndex("by-app", "web")), std::vector<std::string>{"m/c@1"});
  EXPECT_EQ(Names(s_.ByIndex("by-app", "db")), std::vector<std::string>{"n/b@2"});
  EXPECT_TRUE(s_.ByIndex(kNamespaceIndex, "x").empty());
  EXPECT_EQ(s_.Size(), 2u);
}

TEST_P(StoreModeTest, ConcurrentReadersSeeWholeObjectsWhileTheWriterMovesOn) {
  for (int i = 0; i < 50; ++i) {
    std::string name = std::to_string(i);
    s_.Upsert("n/" + name, Ptr(MakeObject("n", name, "0", {{"app", "web"}, {"v", 0}})));
  }
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  auto reader = [&] {
    while (!done) {
      // An object's resourceVersion and data.v are written together: a torn or stale-mixed
      // decode would disagree.
      for (const auto& o : s_.ByIndex("by-app", "web")) {
        if (ObjectResourceVersion(*o) != std::to_string(o->at("data").at("v").get<int>())) ++bad;
      }
      if (auto o = s_.Get("n/7"); !o || ObjectKey(*o) != "n/7") ++bad;
      if (s_.List().size() != 50) ++bad;
    }
  };
  std::vector<std::thread> readers;
  readers.reserve(4);
  for (int r = 0; r < 4; ++r) readers.emplace_back(reader);
  for (int v = 1; v <= 200; ++v) {
    std::string name = std::to_string(v % 50);
    s_.Upsert("n/" + name,
              Ptr(MakeObject("n", name, std::to_string(v), {{"app", "web"}, {"v", v}})));
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(bad, 0);
  EXPECT_EQ(s_.ByIndex("by-app", "web").size(), 50u);
}

INSTANTIATE_TEST_SUITE_P(PlainAndCompact, StoreModeTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) {
                           return p.param ? "Compact" : "Plain";
                         });

TEST(StoreCompactTest, EveryReadIsAFreshCopy) {
  Store s({}, StoreOptions{.compact = true});
  ObjectPtr in = Ptr(MakeObject("n", "a", "1"));
  s.Upsert("n/a", in);
  ObjectPtr a = s.Get("n/a");
  ObjectPtr b = s.Get("n/a");
  ASSERT_NE(a, nullptr);
  EXPECT_NE(a.get(), b.get());  // decoded per read: nothing shares the stored form
  EXPECT_NE(a.get(), in.get());
  EXPECT_EQ(*a, *in);
  EXPECT_EQ(in.use_count(), 1);  // the store kept no reference to the writer's object
}

TEST(StoreCompactTest, KeysBeyondTheInternTableRoundTrip) {
  // More distinct keys than the table interns (16,384) and keys too long to intern are
  // stored inline; both decode to the same object.
  Object data = Object::object();
  for (int i = 0; i < 17000; ++i) data[std::string("k").append(std::to_string(i))] = i;
  data[std::string(200, 'x')] = "long key";
  Object obj = MakeObject("n", "a", "1", data);
  Store s({}, StoreOptions{.compact = true});
  s.Upsert("n/a", Ptr(obj));
  s.Upsert("n/b", Ptr(MakeObject("n", "b", "1", {{"k16999", -1}, {"zz-new", 1.5}})));
  EXPECT_EQ(*s.Get("n/a"), obj);
  EXPECT_EQ(*s.Get("n/b"), MakeObject("n", "b", "1", {{"k16999", -1}, {"zz-new", 1.5}}));
}

TEST(StoreCompactTest, PlainModeSharesTheStoredObject) {
  Store s;
  ObjectPtr in = Ptr(MakeObject("n", "a", "1"));
  s.Upsert("n/a", in);
  EXPECT_EQ(s.Get("n/a").get(), in.get());
}

}  // namespace
}  // namespace limen::kube

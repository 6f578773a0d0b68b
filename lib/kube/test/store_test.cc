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

}  // namespace
}  // namespace limen::kube

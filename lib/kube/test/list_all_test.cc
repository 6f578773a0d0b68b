#include "limen/kube/list_all.h"

#include <gtest/gtest.h>

#include <vector>

namespace limen::kube {
namespace {

// A Client whose List serves pages from a script; every other call fails.
class PagedClient final : public Client {
 public:
  std::vector<ApiResult<ObjectList>> pages;
  std::vector<ListOptions> calls;

  ApiResult<ObjectList> List(const Resource&, const std::string&,
                             const ListOptions& opts) override {
    calls.push_back(opts);
    if (calls.size() > pages.size()) return ApiError::Transport("Test", "no more pages");
    return pages[calls.size() - 1];
  }
  ApiResult<Object> Get(const Resource&, const std::string&, const std::string&,
                        const RequestOptions&) override {
    return Unused();
  }
  ApiResult<Object> Create(const Resource&, const std::string&, const Object&,
                           const RequestOptions&) override {
    return Unused();
  }
  ApiResult<Object> Update(const Resource&, const std::string&, const Object&,
                           const RequestOptions&) override {
    return Unused();
  }
  ApiResult<Object> Patch(const Resource&, const std::string&, const std::string&, PatchType,
                          const Object&, const PatchOptions&) override {
    return Unused();
  }
  ApiResult<Object> Delete(const Resource&, const std::string&, const std::string&,
                           const DeleteOptions&) override {
    return Unused();
  }
  ApiResult<std::unique_ptr<WatchStream>> Watch(const Resource&, const std::string&,
                                                const WatchOptions&) override {
    return ApiError::Transport("Test", "unused");
  }

 private:
  static ApiError Unused() { return ApiError::Transport("Test", "unused"); }
};

ObjectList Page(std::vector<std::string> names, std::string rv, std::string next) {
  ObjectList l;
  for (auto& n : names) l.items.push_back({{"metadata", {{"name", n}}}});
  l.resource_version = std::move(rv);
  l.continue_token = std::move(next);
  return l;
}

TEST(ListAllTest, FollowsContinueTokensWithoutResourceVersion) {
  PagedClient c;
  c.pages = {Page({"a", "b"}, "10", "t1"), Page({"c", "d"}, "10", "t2"), Page({"e"}, "10", "")};
  ListOptions opts;
  opts.limit = 2;
  opts.label_selector = "x=y";
  opts.resource_version = "0";
  auto all = ListAll(c, resources::kConfigMaps, "ns", opts);
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  EXPECT_EQ(all->items.size(), 5u);
  EXPECT_EQ(all->resource_version, "10");
  EXPECT_TRUE(all->continue_token.empty());
  ASSERT_EQ(c.calls.size(), 3u);
  EXPECT_EQ(c.calls[0].resource_version, "0");
  EXPECT_EQ(c.calls[1].continue_token, "t1");
  EXPECT_EQ(c.calls[1].resource_version, "");  // not allowed together with continue
  EXPECT_EQ(c.calls[1].label_selector, "x=y");
  EXPECT_EQ(c.calls[2].continue_token, "t2");
}

TEST(ListAllTest, ExpiredContinueTokenFallsBackToOneFullList) {
  PagedClient c;
  c.pages = {Page({"a", "b"}, "10", "t1"),
             ApiError::FromResponse(410, R"({"kind":"Status","reason":"Expired"})"),
             Page({"a", "b", "c"}, "20", "")};
  ListOptions opts;
  opts.limit = 2;
  auto all = ListAll(c, resources::kConfigMaps, "ns", opts);
  ASSERT_TRUE(all.ok()) << all.error().ToString();
  EXPECT_EQ(all->items.size(), 3u);
  EXPECT_EQ(all->resource_version, "20");
  ASSERT_EQ(c.calls.size(), 3u);
  EXPECT_EQ(c.calls[2].limit, 0);
  EXPECT_EQ(c.calls[2].continue_token, "");
}

TEST(ListAllTest, OtherErrorsAreReturned) {
  PagedClient c;
  c.pages = {Page({"a"}, "1", "t"), ApiError::FromResponse(403, "")};
  auto all = ListAll(c, resources::kConfigMaps, "ns", {});
  ASSERT_FALSE(all.ok());
  EXPECT_TRUE(all.error().IsForbidden());
}

}  // namespace
}  // namespace limen::kube

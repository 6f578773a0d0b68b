#include "limen/api/wasm_filter.h"

#include <gtest/gtest.h>

namespace limen::api {
namespace {

TEST(WasmFilterTest, Defaults) {
  auto f = *Decode<WasmFilter>(Json::parse(R"({"spec":{"source":{"image":{"reference":"r"}}}})"));
  SetDefaults(f);
  EXPECT_EQ(f.spec.wasm_source.image->pull_policy, "IfNotPresent");
  EXPECT_EQ(f.spec.abi, "proxy-wasm");
  EXPECT_EQ(f.spec.phase, "UNSPECIFIED");
  EXPECT_EQ(f.spec.priority, 0);
  EXPECT_EQ(f.spec.fail_strategy, "FailClosed");
  // priority 0 is written, as the apiserver's default would be.
  EXPECT_EQ(Encode(f)["spec"]["priority"], 0);
}

TEST(WasmFilterTest, ConfigMapSourceHasNoPullPolicy) {
  auto f = *Decode<WasmFilter>(
      Json::parse(R"({"spec":{"source":{"configMap":{"name":"m","key":"filter.wasm"}}}})"));
  SetDefaults(f);
  EXPECT_FALSE(f.spec.wasm_source.image.has_value());
  EXPECT_EQ(Encode(f)["spec"]["source"],
            Json::parse(R"({"configMap":{"name":"m","key":"filter.wasm"}})"));
}

TEST(WasmFilterTest, Status) {
  const Json j = Json::parse(R"({"status":{"sha256":"ab","size":1024,"abi":"proxy-wasm",
      "imports":["env.proxy_log"],"exports":["proxy_on_vm_start"],"reason":"",
      "conditions":[{"type":"Validated","status":"True","reason":"Valid","message":"",
                     "lastTransitionTime":"2025-01-01T00:00:00Z"}]}})");
  const auto f = Decode<WasmFilter>(j);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->status.size, 1024);
  EXPECT_TRUE(IsStatusConditionTrue(f->status.conditions, "Validated"));
  EXPECT_EQ(Encode(*f), j);
}

}  // namespace
}  // namespace limen::api

#include "limen/api/node_probe_state.h"

#include <gtest/gtest.h>

namespace limen::api {
namespace {

TEST(NodeProbeStateTest, RoundTripsAndUpdates) {
  const Json j = Json::parse(R"({"apiVersion":"limen.dev/v1alpha1","kind":"NodeProbeState",
      "metadata":{"name":"worker-1"},
      "status":{"kernel":{"release":"6.1","btf":true,"kprobes":false},
                "probes":[{"name":"tcp.send","state":"Failed","error":"no BTF"}],
                "pods":[{"namespace":"shop","name":"p","uid":"u","startupNanos":8213042,
                         "rssBytes":2903040,"events":{"hits":10,"delivered":9,"dropped":1}}],
                "reportedAt":"2025-11-26T08:00:00Z"}})");
  auto s = Decode<NodeProbeState>(j);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->status.kernel.btf);
  EXPECT_EQ(s->status.pods[0].events.dropped, 1);
  EXPECT_EQ(Encode(*s), j);
  s->status.probes[0].state = std::string(kProbeAttached);
  s->status.probes[0].error.clear();
  const Json out = Encode(*s);
  EXPECT_EQ(out["status"]["probes"][0],
            Json::parse(R"({"name":"tcp.send","state":"Attached","error":""})"));
}

TEST(NodeProbeStateTest, RejectsWrongTypes) {
  EXPECT_EQ(Decode<NodeProbeState>(Json::parse(R"({"status":{"kernel":{"btf":"yes"}}})"))
                .status()
                .message(),
            "status.kernel.btf: expected boolean, got string");
  EXPECT_EQ(Decode<NodeProbeState>(Json::parse(R"({"status":{"pods":[{"events":{"hits":-1.5}}]}})"))
                .status()
                .message(),
            "status.pods[0].events.hits: expected integer, got number");
}

}  // namespace
}  // namespace limen::api

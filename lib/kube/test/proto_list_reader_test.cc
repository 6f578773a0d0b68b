// ProtoListReader and the schema decoder (src/proto_list_reader.h, src/proto_schema.h) on
// protobuf bodies written field by field. That the decoding equals the JSON reader's on real
// lists is http_client_integration_test's ProtobufListEqualsJsonList.
#include "../src/proto_list_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "filter_fixtures.h"
#include "proto_encoder.h"

namespace limen::kube::internal {
namespace {

using testing::ProtoListBody;
using testing::ProtoWriter;
using testing::SameJson;

const proto::Message& PodSchema() { return *proto::ItemSchema(resources::kPods); }

// The operator's Pod projection.
std::shared_ptr<const FieldFilter> PodFields() {
  static const auto mask = FieldMask::Keeping({{"metadata", "generation"},
                                               {"metadata", "labels"},
                                               {"metadata", "ownerReferences"},
                                               {"metadata", "annotations", "limen.dev/*"},
                                               {"spec", "nodeName"},
                                               {"status", "phase"}});
  return mask;
}

ProtoWriter Pod(const std::string& name) {
  ProtoWriter meta;
  meta.Bytes(1, name).Bytes(3, "team-a").Bytes(5, "uid-" + name).Bytes(6, "7");
  meta.Varint(7, 0);  // generation 0: Go always writes it, JSON omits it
  meta.Message(8, ProtoWriter().Varint(1, 1'764'000'000));
  meta.Entry(11, "app", "web").Entry(11, "tier", "");
  meta.Entry(12, "limen.dev/policy", "p@1").Entry(12, "other.io/x", "dropped");
  meta.Message(13, ProtoWriter()
                       .Bytes(5, "apps/v1")
                       .Bytes(1, "ReplicaSet")
                       .Bytes(3, "web-1")
                       .Bytes(4, "rs-uid")
                       .Varint(6, 1));
  meta.Message(17, ProtoWriter().Bytes(1, "kubectl"));  // managedFields: opaque, dropped
  ProtoWriter spec;
  spec.Message(2, ProtoWriter().Bytes(1, "app")).Bytes(10, "node-1").Bytes(3, "Always");
  ProtoWriter status;
  status.Bytes(1, "Running").Bytes(6, "10.0.0.1");
  return ProtoWriter().Message(1, meta).Message(2, spec).Message(3, status);
}

Object ExpectedPod(const std::string& name) {
  return Object::parse(R"({
    "metadata": {"name": ")" +
                       name + R"(", "namespace": "team-a", "uid": "uid-)" + name +
                       R"(", "resourceVersion": "7",
      "labels": {"app": "web", "tier": ""},
      "annotations": {"limen.dev/policy": "p@1"},
      "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1",
                           "uid": "rs-uid", "controller": true}]},
    "spec": {"nodeName": "node-1"},
    "status": {"phase": "Running"}})");
}

StatusOr<Object> ReadAll(std::string_view body, const FieldFilter* filter, size_t step = 0) {
  ProtoListReader reader(PodSchema(), filter);
  if (step == 0) {
    reader.Append(body);
  } else {
    for (size_t i = 0; i < body.size(); i += step) reader.Append(body.substr(i, step));
  }
  return reader.Finish();
}

TEST(ProtoListReaderTest, DecodesTheListAsTheJsonReaderWould) {
  const std::string body = ProtoListBody({Pod("a"), Pod("b")}, "1234");
  auto list = ReadAll(body, PodFields().get());
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  const Object want = {{"apiVersion", "v1"},
                       {"kind", "PodList"},
                       {"metadata", {{"resourceVersion", "1234"}}},
                       {"items", {ExpectedPod("a"), ExpectedPod("b")}}};
  EXPECT_TRUE(SameJson(*list, want)) << list->dump(2);
}

TEST(ProtoListReaderTest, SameResultHoweverTheBytesArrive) {
  const std::string body = ProtoListBody({Pod("a"), Pod("b"), Pod("c")});
  const auto whole = ReadAll(body, PodFields().get());
  ASSERT_TRUE(whole.ok());
  for (size_t step : {1, 2, 3, 7, 64, 333}) {
    auto split = ReadAll(body, PodFields().get(), step);
    ASSERT_TRUE(split.ok()) << step << ": " << split.status().ToString();
    EXPECT_TRUE(SameJson(*split, *whole)) << step;
  }
}

TEST(ProtoListReaderTest, HoldsOneItemNotTheList) {
  std::vector<ProtoWriter> pods;
  pods.reserve(200);
  for (int i = 0; i < 200; ++i) pods.push_back(Pod("p" + std::to_string(i)));
  const std::string body = ProtoListBody(pods);
  ProtoListReader reader(PodSchema(), PodFields().get());
  size_t most = 0;
  for (size_t i = 0; i < body.size(); i += 100) {
    reader.Append(std::string_view(body).substr(i, 100));
    most = std::max(most, reader.bytes_held());
  }
  ASSERT_TRUE(reader.Finish().ok());
  EXPECT_LT(most, size_t{64} * 1024 + 100);  // the compaction threshold, plus one arrival
  EXPECT_LT(most, body.size() / 4);
}

TEST(ProtoListReaderTest, WritesGoJsonPresence) {
  ProtoWriter meta;
  meta.Bytes(1, "p").Bytes(2, "").Varint(7, 3).Varint(10, 0);  // pointer: 0 is written
  meta.Message(9, ProtoWriter());                              // *Time at the epoch
  meta.Message(13, ProtoWriter().Bytes(3, "owner"));           // apiVersion etc. written empty
  meta.Bytes(14, "f1").Bytes(14, "f2");
  ProtoWriter status;
  status.Message(8, ProtoWriter().Bytes(1, "app").Varint(5, static_cast<uint64_t>(-2)));
  const auto all = FieldMask::Keeping({{"metadata"}, {"status", "containerStatuses"}});
  auto list =
      ReadAll(ProtoListBody({ProtoWriter().Message(1, meta).Message(3, status)}), all.get());
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  const Object want = Object::parse(R"({
    "metadata": {"name": "p", "generation": 3, "deletionGracePeriodSeconds": 0,
      "deletionTimestamp": "1970-01-01T00:00:00Z",
      "ownerReferences": [{"apiVersion": "", "kind": "", "name": "owner", "uid": ""}],
      "finalizers": ["f1", "f2"]},
    "status": {"containerStatuses": [{"name": "app", "ready": false, "restartCount": -2,
                                      "image": "", "imageID": ""}]}})");
  EXPECT_TRUE(SameJson(list->at("items").at(0), want)) << list->at("items").dump(2);
}

TEST(ProtoListReaderTest, AMapWhoseEntriesAreAllDroppedIsEmptyNotAbsent) {
  ProtoWriter meta;
  meta.Bytes(1, "p").Entry(12, "other.io/a", "1");
  auto list = ReadAll(ProtoListBody({ProtoWriter().Message(1, meta)}), PodFields().get());
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->at("items").at(0).at("metadata").at("annotations"), Object::object());
}

TEST(ProtoListReaderTest, RefusesWhatItCannotDecode) {
  const auto containers = FieldMask::Keeping({{"spec", "containers"}});
  ProtoWriter spec;
  spec.Message(2, ProtoWriter().Bytes(1, "app"));
  auto opaque = ReadAll(ProtoListBody({ProtoWriter().Message(2, spec)}), containers.get());
  EXPECT_EQ(opaque.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(opaque.status().message().find("PodSpec.containers"), std::string::npos);

  ProtoWriter meta;
  meta.Bytes(1, "p").Bytes(99, "from a newer server");
  auto unknown = ReadAll(ProtoListBody({ProtoWriter().Message(1, meta)}), PodFields().get());
  EXPECT_EQ(unknown.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(unknown.status().message().find("ObjectMeta has a field 99"), std::string::npos);
}

TEST(ProtoListReaderTest, MalformedBodiesAreErrorsNamingWhatIsWrong) {
  const std::string good = ProtoListBody({Pod("a")});
  struct Case {
    std::string body;
    std::string message;
  };
  ProtoWriter bad_utf8;
  bad_utf8.Message(1, ProtoWriter().Bytes(1, "\xff"));
  ProtoWriter wrong_type;
  wrong_type.Message(1, ProtoWriter().Varint(1, 5));
  const std::vector<Case> cases = {
      {"", "ends inside the magic"},
      {"{\"kind\":\"PodList\"}", "no k8s magic"},
      {good.substr(0, good.size() - 40), "ends inside a field"},
      {ProtoListBody({bad_utf8}), "name is not UTF-8"},
      {ProtoListBody({wrong_type}), "name has the wrong wire type"},
      {std::string("k8s\0\x12\x05\x12\x10", 8) + "abcd", "runs past the end of the list"},
  };
  for (const auto& c : cases) {
    auto list = ReadAll(c.body, PodFields().get());
    ASSERT_FALSE(list.ok()) << c.message;
    EXPECT_EQ(list.status().code(), StatusCode::kInvalidArgument) << c.message;
    EXPECT_NE(list.status().message().find(c.message), std::string::npos)
        << list.status().message();
  }
}

TEST(ProtoSchemaTest, DecodableOnlyWhenEveryKeptFieldIs) {
  EXPECT_TRUE(proto::Decodable(PodSchema(), PodFields().get()));
  EXPECT_TRUE(proto::Decodable(PodSchema(), FieldMask::Keeping({}).get()));
  EXPECT_TRUE(proto::Decodable(
      PodSchema(), FieldMask::Keeping({{"status", "containerStatuses", "restartCount"}}).get()));
  EXPECT_FALSE(proto::Decodable(PodSchema(), FieldMask::Keeping({{"spec"}}).get()));
  EXPECT_FALSE(proto::Decodable(
      PodSchema(), FieldMask::Keeping({{"status", "containerStatuses", "state"}}).get()));
  EXPECT_FALSE(
      proto::Decodable(PodSchema(), FieldMask::AllExcept({{"metadata", "managedFields"}}).get()));
  EXPECT_FALSE(proto::Decodable(PodSchema(), nullptr));
  EXPECT_EQ(proto::ItemSchema(resources::kConfigMaps), nullptr);
}

TEST(ProtoSchemaTest, DecodeStatusGivesTheJsonStatus) {
  ProtoWriter status;
  status.Bytes(2, "Failure").Bytes(3, "pods \"p\" not found").Bytes(4, "NotFound").Varint(6, 404);
  status.Message(5, ProtoWriter().Bytes(1, "p").Bytes(3, "pods"));
  const std::string body = std::string("k8s\0", 4) + ProtoWriter().Message(2, status).str();
  auto decoded = proto::DecodeStatus(body);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_TRUE(SameJson(*decoded, Object::parse(R"({"apiVersion": "v1", "kind": "Status",
      "metadata": {}, "status": "Failure", "message": "pods \"p\" not found",
      "reason": "NotFound", "code": 404, "details": {"name": "p", "kind": "pods"}})")))
      << decoded->dump();
  EXPECT_EQ(proto::DecodeStatus("{\"kind\":\"Status\"}").status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace limen::kube::internal

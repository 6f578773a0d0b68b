// Every crds/examples/*.yaml round-trips through lib/api unchanged (decode → encode equals
// the original JSON), keeps fields lib/api does not know, and defaults exactly like the
// apiserver would.
#include <gtest/gtest.h>

#include "yaml_json.h"

namespace limen::api {
namespace {

using testing::ApplySchemaDefaults;
using testing::CrdDir;
using testing::CrdSchema;
using testing::LoadYamlFile;
using testing::RoundTrip;
using testing::YamlFilesIn;

std::vector<Json> Examples() {
  std::vector<Json> out;
  for (const std::string& file : YamlFilesIn(CrdDir() + "/examples")) {
    for (Json& doc : LoadYamlFile(file)) out.push_back(std::move(doc));
  }
  return out;
}

// Adds a field no version of lib/api knows to every object of the document.
void AddUnknownFields(Json& j, int& added) {
  if (j.is_object()) {
    for (auto& [key, child] : j.items()) AddUnknownFields(child, added);
    j["limenFutureField"] = "from-a-newer-version";
    ++added;
  } else if (j.is_array()) {
    for (auto& item : j) AddUnknownFields(item, added);
  }
}

TEST(ExamplesTest, RoundTripUnchanged) {
  const std::vector<Json> examples = Examples();
  ASSERT_GE(examples.size(), 5u) << "expected an example of each kind in " << CrdDir();
  for (const Json& example : examples) {
    SCOPED_TRACE(example.value("kind", "?"));
    const auto out = RoundTrip(example, /*apply_defaults=*/false);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(*out, example) << "\n  in:  " << example.dump() << "\n  out: " << out->dump();
  }
}

TEST(ExamplesTest, UnknownFieldsSurvive) {
  for (Json example : Examples()) {
    SCOPED_TRACE(example.value("kind", "?"));
    int added = 0;
    AddUnknownFields(example, added);
    EXPECT_GT(added, 5);
    const auto out = RoundTrip(example, /*apply_defaults=*/false);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(*out, example) << "\n  in:  " << example.dump() << "\n  out: " << out->dump();
    // Defaulting must not lose them either.
    const auto defaulted = RoundTrip(example, /*apply_defaults=*/true);
    ASSERT_TRUE(defaulted.ok());
    EXPECT_EQ(defaulted->dump().find("limenFutureField") != std::string::npos, true);
  }
}

TEST(ExamplesTest, DefaultLikeTheApiserver) {
  std::map<std::string, Json> schemas;
  for (const std::string& file : YamlFilesIn(CrdDir())) {
    for (const Json& doc : LoadYamlFile(file)) {
      if (doc.value("kind", "") == "CustomResourceDefinition") {
        schemas[doc["spec"]["names"]["kind"].get<std::string>()] = CrdSchema(doc);
      }
    }
  }
  for (const Json& example : Examples()) {
    const std::string kind = example.value("kind", "?");
    SCOPED_TRACE(kind);
    ASSERT_TRUE(schemas.count(kind)) << "no CRD for " << kind;
    Json expected = example;
    ApplySchemaDefaults(expected, schemas[kind]);
    const auto out = RoundTrip(example, /*apply_defaults=*/true);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(*out, expected) << "\n  apiserver: " << expected.dump()
                              << "\n  lib/api:   " << out->dump();
  }
}

}  // namespace
}  // namespace limen::api

// Table tests of the WasmFilter reconciler's pure decisions: image pinning, module extraction,
// verdicts (on the real C proxy-wasm sample and damaged copies of it), status building,
// transition Events and the ConfigMap → WasmFilter key mapping.
#include "limen/reconcilers/wasmfilter/decisions.h"
#include "limen/kube/base64.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <sstream>

#include "limen/api/well_known.h"

namespace limen::reconcilers::wasmfilter {
namespace {

using api::Json;

const std::string kDigest(64, 'a');

std::string ReadSample(const std::string& name) {
  std::ifstream in(std::string(LIMEN_WASM_SAMPLES_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name << " was not built";
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

Json ConfigMapWith(const std::string& key, const std::string& bytes) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", "mods"}, {"namespace", "shop"}}},
          {"binaryData", {{key, kube::Base64Encode(bytes)}}}};
}

api::WasmFilter ConfigMapFilter(const std::string& abi = "proxy-wasm",
                                const std::string& sha256 = "") {
  api::WasmFilter f;
  f.metadata.name = "authz";
  f.metadata.namespace_ = "shop";
  f.metadata.generation = 3;
  f.spec.wasm_source.config_map = api::ConfigMapSource{"mods", "filter.wasm", {}};
  f.spec.abi = abi;
  f.spec.sha256 = sha256;
  return f;
}

api::WasmFilter ImageFilter(const std::string& reference) {
  api::WasmFilter f;
  f.metadata.name = "authz";
  f.metadata.namespace_ = "shop";
  f.spec.wasm_source.image = api::ImageSource{reference, std::nullopt, {}};
  return f;
}

TEST(ParseImageReference, Table) {
  struct Case {
    std::string ref, repository, tag, digest;
  };
  const Case cases[] = {
      {"ghcr.io/acme/authz:1.4.0", "ghcr.io/acme/authz", "1.4.0", ""},
      {"ghcr.io/acme/authz@sha256:" + kDigest, "ghcr.io/acme/authz", "", "sha256:" + kDigest},
      {"ghcr.io/acme/authz:1.4.0@sha256:" + kDigest, "ghcr.io/acme/authz", "1.4.0",
       "sha256:" + kDigest},
      {"localhost:5000/authz", "localhost:5000/authz", "", ""},
      {"localhost:5000/authz:v2", "localhost:5000/authz", "v2", ""},
      {"authz", "authz", "", ""},
  };
  for (const Case& c : cases) {
    auto r = ParseImageReference(c.ref);
    ASSERT_TRUE(r.ok()) << c.ref << ": " << r.status().ToString();
    EXPECT_EQ(r->repository, c.repository) << c.ref;
    EXPECT_EQ(r->tag, c.tag) << c.ref;
    EXPECT_EQ(r->digest, c.digest) << c.ref;
  }
}

TEST(ParseImageReference, RejectsWithReason) {
  const std::pair<std::string, std::string> cases[] = {
      {"", "empty"},
      {"authz@sha256:abc", "64 lower-case hex"},
      {"authz@sha512:" + std::string(128, 'a'), "must be sha256:"},
      {"authz@sha256:" + std::string(64, 'A'), "lower-case"},
      {"authz:", "empty tag"},
      {":1.0", "no repository"},
  };
  for (const auto& [ref, why] : cases) {
    auto r = ParseImageReference(ref);
    ASSERT_FALSE(r.ok()) << ref;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << ref;
    EXPECT_NE(r.status().message().find(why), std::string::npos) << r.status().message();
  }
}

TEST(CheckImagePinned, DigestRequiredUnlessTagsAllowed) {
  struct Case {
    std::string ref;
    bool allow_tags;
    bool ok;
    std::string why;
  };
  const Case cases[] = {
      {"ghcr.io/acme/authz@sha256:" + kDigest, false, true, ""},
      {"ghcr.io/acme/authz:1.0@sha256:" + kDigest, false, true, ""},
      {"ghcr.io/acme/authz:1.0", false, false, "pinned by tag \"1.0\", not by digest"},
      {"ghcr.io/acme/authz", false, false, "neither tag nor digest"},
      {"ghcr.io/acme/authz:1.0", true, true, ""},
      {"ghcr.io/acme/authz", true, true, ""},
  };
  for (const Case& c : cases) {
    Status s = CheckImagePinned(c.ref, c.allow_tags);
    EXPECT_EQ(s.ok(), c.ok) << c.ref << ": " << s.ToString();
    if (!c.ok) {
      EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
      EXPECT_NE(s.message().find(c.why), std::string::npos) << s.message();
      EXPECT_NE(s.message().find("ghcr.io/acme/authz@sha256:<64 hex digits>"), std::string::npos)
          << s.message();
    }
  }
}

TEST(ModuleFromConfigMap, Table) {
  auto ok = ModuleFromConfigMap(ConfigMapWith("m", std::string("\0asm", 4)), "m");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(*ok, std::string("\0asm", 4));

  auto missing = ModuleFromConfigMap(ConfigMapWith("m", "x"), "other");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("no binaryData key \"other\""), std::string::npos);

  Json text = {{"data", {{"m", "hello"}}}};
  auto in_data = ModuleFromConfigMap(text, "m");
  EXPECT_EQ(in_data.status().code(), StatusCode::kNotFound);
  EXPECT_NE(in_data.status().message().find("in data"), std::string::npos);

  Json bad = {{"binaryData", {{"m", "!!!"}}}};
  EXPECT_EQ(ModuleFromConfigMap(bad, "m").status().code(), StatusCode::kInvalidArgument);
  Json not_string = {{"binaryData", {{"m", 42}}}};
  EXPECT_EQ(ModuleFromConfigMap(not_string, "m").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ModuleFromConfigMap(Json::array(), "m").status().code(), StatusCode::kNotFound);
}

TEST(Decide, ConfigMapSources) {
  const std::string sample = ReadSample("c-proxy-wasm.wasm");
  ASSERT_GT(sample.size(), 8u);
  const std::string sha =
      wasm::Sha256Hex(std::span(reinterpret_cast<const uint8_t*>(sample.data()), sample.size()));
  Config small;
  small.max_module_size = 16;

  struct Case {
    std::string name;
    api::WasmFilter filter;
    std::optional<Json> config_map;
    Config config;
    bool validated;
    std::string_view reason;
    std::string detected_abi;
    std::string message_has;
  };
  const Case cases[] = {
      {"valid",
       ConfigMapFilter(),
       ConfigMapWith("filter.wasm", sample),
       {},
       true,
       kReasonValid,
       "proxy-wasm",
       "implements proxy-wasm"},
      {"valid with sha",
       ConfigMapFilter("proxy-wasm", sha),
       ConfigMapWith("filter.wasm", sample),
       {},
       true,
       kReasonValid,
       "proxy-wasm",
       sha},
      {"wrong abi",
       ConfigMapFilter("wasi"),
       ConfigMapWith("filter.wasm", sample),
       {},
       false,
       kReasonAbiMismatch,
       "proxy-wasm",
       "wasi:"},
      {"truncated",
       ConfigMapFilter(),
       ConfigMapWith("filter.wasm", sample.substr(0, 100)),
       {},
       false,
       kReasonInvalidModule,
       "",
       "offset"},
      {"bad magic",
       ConfigMapFilter(),
       ConfigMapWith("filter.wasm", "not wasm at all"),
       {},
       false,
       kReasonInvalidModule,
       "",
       "ConfigMap shop/mods key filter.wasm"},
      {"sha mismatch",
       ConfigMapFilter("proxy-wasm", kDigest),
       ConfigMapWith("filter.wasm", sample),
       {},
       false,
       kReasonSha256Mismatch,
       "",
       "sha256"},
      {"too large", ConfigMapFilter(), ConfigMapWith("filter.wasm", sample), small, false,
       kReasonTooLarge, "", "ConfigMap shop/mods"},
      {"no configmap",
       ConfigMapFilter(),
       std::nullopt,
       {},
       false,
       kReasonConfigMapNotFound,
       "",
       "ConfigMap shop/mods (spec.source.configMap.name) not found"},
      {"no key",
       ConfigMapFilter(),
       ConfigMapWith("other.wasm", sample),
       {},
       false,
       kReasonKeyNotFound,
       "",
       "no binaryData key \"filter.wasm\""},
      {"bad base64",
       ConfigMapFilter(),
       Json{{"binaryData", {{"filter.wasm", "%%%"}}}},
       {},
       false,
       kReasonInvalidEncoding,
       "",
       "not valid base64"},
  };
  for (const Case& c : cases) {
    const Verdict v = Decide(c.filter, c.config_map ? &*c.config_map : nullptr, c.config);
    EXPECT_EQ(v.validated, c.validated) << c.name << ": " << v.message;
    EXPECT_EQ(v.reason, c.reason) << c.name << ": " << v.message;
    EXPECT_EQ(v.detected_abi, c.detected_abi) << c.name;
    EXPECT_NE(v.message.find(c.message_has), std::string::npos) << c.name << ": " << v.message;
    if (c.validated) {
      ASSERT_TRUE(v.report.has_value()) << c.name;
      EXPECT_EQ(v.report->sha256, sha);
      EXPECT_EQ(v.report->size, sample.size());
    }
  }
}

TEST(Decide, ImageSourcesAndSpecErrors) {
  Config allow;
  allow.allow_image_tags = true;
  api::WasmFilter both = ConfigMapFilter();
  both.spec.wasm_source.image = api::ImageSource{"a@sha256:" + kDigest, std::nullopt, {}};
  api::WasmFilter neither = ConfigMapFilter();
  neither.spec.wasm_source.config_map.reset();
  struct Case {
    std::string name;
    api::WasmFilter filter;
    Config config;
    bool validated;
    std::string_view reason;
    std::string message_has;
  };
  const Case cases[] = {
      {"digest",
       ImageFilter("ghcr.io/acme/authz@sha256:" + kDigest),
       {},
       true,
       kReasonImagePinned,
       "pinned by digest"},
      {"tag refused",
       ImageFilter("ghcr.io/acme/authz:1.0"),
       {},
       false,
       kReasonImageNotPinned,
       "spec.source.image.reference: image reference \"ghcr.io/acme/authz:1.0\" is pinned by tag"},
      {"tag allowed", ImageFilter("ghcr.io/acme/authz:1.0"), allow, true, kReasonImageTagAllowed,
       "only by tag"},
      {"bad digest",
       ImageFilter("ghcr.io/acme/authz@sha256:12"),
       {},
       false,
       kReasonInvalidImageReference,
       "64 lower-case hex"},
      {"both sources", both, {}, false, kReasonInvalidSpec, "exactly one"},
      {"no source", neither, {}, false, kReasonInvalidSpec, "exactly one"},
      {"bad abi", ConfigMapFilter("emscripten"), {}, false, kReasonInvalidSpec, "spec.abi"},
  };
  for (const Case& c : cases) {
    const Verdict v = Decide(c.filter, nullptr, c.config);
    EXPECT_EQ(v.validated, c.validated) << c.name << ": " << v.message;
    EXPECT_EQ(v.reason, c.reason) << c.name << ": " << v.message;
    EXPECT_NE(v.message.find(c.message_has), std::string::npos) << c.name << ": " << v.message;
    EXPECT_FALSE(v.report.has_value()) << c.name;
    EXPECT_EQ(v.detected_abi, "") << c.name;
  }
}

Verdict ValidVerdict() {
  Verdict v;
  v.validated = true;
  v.reason = std::string(kReasonValid);
  v.message = "module ok";
  v.detected_abi = "proxy-wasm";
  wasm::Report r;
  r.valid = true;
  r.size = 1234;
  r.sha256 = kDigest;
  r.imports = {"env.proxy_log"};
  r.exports = {"proxy_abi_version_0_2_1 (function)", "memory (memory)"};
  v.report = r;
  return v;
}

Verdict MissingVerdict() {
  Verdict v;
  v.reason = std::string(kReasonConfigMapNotFound);
  v.message = "ConfigMap shop/mods not found";
  return v;
}

const api::Time kT0 = api::Time{} + std::chrono::seconds(1'700'000'000);
const api::Time kT1 = kT0 + std::chrono::minutes(5);

TEST(BuildStatus, ValidThenSameIsUnchanged) {
  const api::WasmFilterStatus first = BuildStatus({}, ValidVerdict(), 3, kT0);
  EXPECT_EQ(first.observed_generation, 3);
  ASSERT_EQ(first.conditions.size(), 1u);
  EXPECT_EQ(first.conditions[0].type, "Validated");
  EXPECT_EQ(first.conditions[0].status, "True");
  EXPECT_EQ(first.conditions[0].reason, "Valid");
  EXPECT_EQ(first.conditions[0].observed_generation, 3);
  EXPECT_EQ(first.sha256, kDigest);
  EXPECT_EQ(first.size, 1234);
  EXPECT_EQ(first.abi, "proxy-wasm");
  EXPECT_EQ(first.exports.size(), 2u);
  const Json encoded = api::Encode(first);
  EXPECT_FALSE(encoded.contains("reason")) << encoded.dump();

  // What the apiserver stores decodes back; the same verdict later builds the same JSON, so
  // the reconciler writes nothing.
  auto stored = api::Decode<api::WasmFilterStatus>(encoded);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(api::Encode(BuildStatus(*stored, ValidVerdict(), 3, kT1)), encoded);
}

TEST(BuildStatus, FailureClearsModuleFieldsAndMovesTransitionTime) {
  auto stored =
      api::Decode<api::WasmFilterStatus>(api::Encode(BuildStatus({}, ValidVerdict(), 3, kT0)));
  ASSERT_TRUE(stored.ok());
  stored->source["writtenByOthers"] = "kept";
  const api::WasmFilterStatus failed = BuildStatus(*stored, MissingVerdict(), 4, kT1);
  const Json j = api::Encode(failed);
  for (const char* k : {"sha256", "size", "abi", "imports", "exports"}) {
    EXPECT_FALSE(j.contains(k)) << k << " in " << j.dump();
  }
  EXPECT_EQ(j["reason"], "ConfigMap shop/mods not found");
  EXPECT_EQ(j["observedGeneration"], 4);
  EXPECT_EQ(j["writtenByOthers"], "kept");
  ASSERT_EQ(j["conditions"].size(), 1u);
  EXPECT_EQ(j["conditions"][0]["status"], "False");
  EXPECT_EQ(j["conditions"][0]["reason"], "ConfigMapNotFound");
  EXPECT_EQ(j["conditions"][0]["lastTransitionTime"], api::FormatTime(kT1));
}

TEST(BuildStatus, BoundsToTheCrd) {
  Verdict v = MissingVerdict();
  v.message = std::string(5000, 'x') + "é";
  wasm::Report r;
  r.imports.assign(2000, "env." + std::string(600, 'y'));
  v.report = r;
  const api::WasmFilterStatus s = BuildStatus({}, v, 1, kT0);
  EXPECT_EQ(s.reason.size(), 4096u);
  EXPECT_EQ(s.imports.size(), 1024u);
  EXPECT_EQ(s.imports[0].size(), 512u);
  EXPECT_NO_THROW((void)api::Encode(s).dump());
}

TEST(BuildStatus, TruncatesOnCharacterBoundaries) {
  Verdict v = MissingVerdict();
  v.message = std::string(4095, 'x') + "é";  // 'é' is 2 bytes and straddles the limit
  const api::WasmFilterStatus s = BuildStatus({}, v, 1, kT0);
  EXPECT_EQ(s.reason, std::string(4095, 'x'));
}

TEST(TransitionEvent, Table) {
  const api::WasmFilterStatus none;
  const api::WasmFilterStatus valid = BuildStatus({}, ValidVerdict(), 1, kT0);
  const api::WasmFilterStatus missing = BuildStatus(valid, MissingVerdict(), 1, kT1);
  Verdict other = MissingVerdict();
  other.reason = std::string(kReasonKeyNotFound);
  other.message = "no key";
  const api::WasmFilterStatus no_key = BuildStatus(missing, other, 1, kT1);

  auto first = TransitionEvent(none, valid);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->type, kube::EventType::kNormal);
  EXPECT_EQ(first->reason, "Validated");
  EXPECT_EQ(first->note, "Valid: module ok");

  EXPECT_FALSE(TransitionEvent(valid, valid));

  auto broke = TransitionEvent(valid, missing);
  ASSERT_TRUE(broke);
  EXPECT_EQ(broke->type, kube::EventType::kWarning);
  EXPECT_EQ(broke->reason, "ValidationFailed");
  EXPECT_NE(broke->note.find("ConfigMapNotFound"), std::string::npos);

  auto changed = TransitionEvent(missing, no_key);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->reason, "ValidationFailed");

  auto fixed = TransitionEvent(no_key, BuildStatus(no_key, ValidVerdict(), 1, kT1));
  ASSERT_TRUE(fixed);
  EXPECT_EQ(fixed->reason, "Validated");
  EXPECT_FALSE(TransitionEvent(valid, none));
}

Json FilterJson(const std::string& ns, const std::string& name, const Json& source) {
  return Json{{"metadata", {{"namespace", ns}, {"name", name}}}, {"spec", {{"source", source}}}};
}

TEST(IndexBySourceConfigMap, Table) {
  const Json mods = {{"configMap", {{"name", "mods"}, {"key", "a.wasm"}}}};
  const Json image = {{"image", {{"reference", "mods"}}}};
  EXPECT_EQ(IndexBySourceConfigMap(FilterJson("shop", "a", mods)),
            (std::vector<std::string>{"shop/mods"}));
  EXPECT_EQ(IndexBySourceConfigMap(FilterJson("web", "e", mods)),
            (std::vector<std::string>{"web/mods"}));
  EXPECT_TRUE(IndexBySourceConfigMap(FilterJson("shop", "d", image)).empty());
  EXPECT_TRUE(
      IndexBySourceConfigMap(Json{{"metadata", {{"namespace", "shop"}}}, {"spec", 1}}).empty());
  EXPECT_TRUE(IndexBySourceConfigMap(FilterJson("", "x", mods)).empty());
  EXPECT_TRUE(IndexBySourceConfigMap(Json::array()).empty());
}

}  // namespace
}  // namespace limen::reconcilers::wasmfilter

#include "limen/wasm/validator.h"

#include <gtest/gtest.h>

#include "corpus.h"

namespace limen::wasm {
namespace {

using testing::Corpus;

TEST(ValidatorCorpusTest, EveryCaseGetsItsVerdictAndReason) {
  const auto corpus = Corpus();
  size_t rejected = 0;
  for (const auto& c : corpus) {
    ValidationOptions o;
    o.abi = c.abi;
    o.expected_sha256 = c.expected_sha256;
    o.max_size = c.max_size;
    Report r = Validate(c.bytes, o);
    if (c.reason.empty()) {
      EXPECT_TRUE(r.valid) << c.name << ": " << r.reason;
    } else {
      ++rejected;
      EXPECT_FALSE(r.valid) << c.name;
      EXPECT_NE(r.reason.find(c.reason), std::string::npos)
          << c.name << ": reason \"" << r.reason << "\" lacks \"" << c.reason << "\"";
    }
    EXPECT_EQ(r.size, c.bytes.size());
    EXPECT_EQ(r.sha256.size(), 64u);
  }
  EXPECT_GE(rejected, 25u) << "the issue asks for at least 25 malformed or wrong-ABI modules";
}

TEST(ValidatorCorpusTest, WellFormednessMatchesTheReaderAlone) {
  for (const auto& c : Corpus()) {
    auto m = ReadModule(c.bytes, ReadOptions{64 * 1024 * 1024});
    EXPECT_EQ(m.ok(), c.well_formed && !c.component) << c.name << ": " << m.status().ToString();
  }
}

TEST(ValidatorTest, ReasonsNameSectionAndOffset) {
  auto corpus = Corpus();
  for (const auto& c : corpus) {
    if (c.name != "bad-value-type") continue;
    Report r = Validate(c.bytes, {});
    EXPECT_EQ(r.reason, "section type (id 1) at offset 0xd: invalid parameter value type 0x40");
  }
}

TEST(ValidatorTest, SummaryAndDetectedAbi) {
  Report r = Validate(testing::Build(testing::ProxyWasm()), {});
  ASSERT_TRUE(r.valid) << r.reason;
  EXPECT_EQ(r.detected_abi, Abi::kProxyWasm);
  EXPECT_EQ(r.imports, std::vector<std::string>{"env.proxy_log"});
  EXPECT_EQ(r.exports,
            (std::vector<std::string>{"proxy_abi_version_0_2_1 (function)",
                                      "proxy_on_memory_allocate (function)", "memory (memory)"}));
  EXPECT_EQ(Validate(testing::Build(testing::WasiReactor()), {}).detected_abi, Abi::kWasi);
}

TEST(ValidatorTest, AllowListExtendsWasiImports) {
  testing::ModuleSpec s = testing::WasiReactor();
  s.imports.push_back({"limen_host", "now"});
  s.function_exports = {{"_initialize", 2}};
  ValidationOptions o;
  o.abi = Abi::kWasi;
  EXPECT_FALSE(Validate(testing::Build(s), o).valid);
  o.wasi_import_modules.push_back("limen_host");
  EXPECT_TRUE(Validate(testing::Build(s), o).valid);
}

TEST(ValidatorTest, Sha256OfKnownInput) {
  const std::vector<uint8_t> abc{'a', 'b', 'c'};
  EXPECT_EQ(Sha256Hex(abc), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ValidatorTest, ParseAbi) {
  EXPECT_EQ(*ParseAbi("wasi"), Abi::kWasi);
  EXPECT_EQ(*ParseAbi("proxy-wasm"), Abi::kProxyWasm);
  EXPECT_EQ(ParseAbi("emscripten").status().message(),
            "unknown ABI \"emscripten\" (expected wasi or proxy-wasm)");
}

}  // namespace
}  // namespace limen::wasm

// The sample filters of e2e/testdata/wasm, built from Go and C by this build, validate for
// their own ABI and are rejected for the other one with the reason that tells them apart.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "limen/wasm/validator.h"

namespace limen::wasm {
namespace {

std::vector<uint8_t> ReadSample(const std::string& name) {
  std::ifstream in(std::string(LIMEN_WASM_SAMPLES_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << name << " was not built";
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Report ValidateAs(const std::vector<uint8_t>& bytes, Abi abi) {
  ValidationOptions o;
  o.abi = abi;
  return Validate(bytes, o);
}

TEST(SamplesTest, GoWasip1ReactorIsWasi) {
  const auto bytes = ReadSample("go-reactor.wasm");
  Report wasi = ValidateAs(bytes, Abi::kWasi);
  EXPECT_TRUE(wasi.valid) << wasi.reason;
  EXPECT_EQ(wasi.detected_abi, Abi::kWasi);
  EXPECT_NE(std::find(wasi.exports.begin(), wasi.exports.end(), "_initialize (function)"),
            wasi.exports.end());
  EXPECT_NE(std::find(wasi.exports.begin(), wasi.exports.end(), "on_request (function)"),
            wasi.exports.end());
  for (const auto& i : wasi.imports) EXPECT_EQ(i.rfind("wasi_snapshot_preview1.", 0), 0u) << i;

  Report proxy = ValidateAs(bytes, Abi::kProxyWasm);
  EXPECT_FALSE(proxy.valid);
  EXPECT_EQ(proxy.reason,
            "proxy-wasm: exports neither proxy_abi_version_0_2_0 nor proxy_abi_version_0_2_1");
}

TEST(SamplesTest, CFilterIsProxyWasm) {
  const auto bytes = ReadSample("c-proxy-wasm.wasm");
  Report proxy = ValidateAs(bytes, Abi::kProxyWasm);
  EXPECT_TRUE(proxy.valid) << proxy.reason;
  EXPECT_EQ(proxy.detected_abi, Abi::kProxyWasm);
  EXPECT_NE(std::find(proxy.imports.begin(), proxy.imports.end(), "env.proxy_log"),
            proxy.imports.end());

  Report wasi = ValidateAs(bytes, Abi::kWasi);
  EXPECT_FALSE(wasi.valid);
  EXPECT_NE(wasi.reason.find("import \"env.proxy_"), std::string::npos) << wasi.reason;
  EXPECT_NE(wasi.reason.find("outside the allowed list"), std::string::npos) << wasi.reason;
}

}  // namespace
}  // namespace limen::wasm

#include "limen/wasm/validate_command.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "builder.h"

namespace limen::wasm {
namespace {

std::string WriteModule(const testing::Bytes& bytes) {
  const std::string path = ::testing::TempDir() + "validate_command.wasm";
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
  return path;
}

int RunCommand(const std::vector<std::string>& args, std::string* out, std::string* err = nullptr) {
  std::ostringstream o, e;
  int code = RunValidateCommand(args, o, e);
  *out = o.str();
  if (err) *err = e.str();
  return code;
}

TEST(ValidateCommandTest, ExitCodesAndReasons) {
  const std::string file = WriteModule(testing::Build(testing::WasiReactor()));
  std::string out, err;
  EXPECT_EQ(RunCommand({file, "--abi", "wasi"}, &out), 0);
  EXPECT_NE(out.find(": valid (wasi)"), std::string::npos) << out;
  EXPECT_EQ(RunCommand({file, "--abi", "proxy-wasm"}, &out), 1);
  EXPECT_NE(out.find("invalid: proxy-wasm: exports neither"), std::string::npos) << out;
  EXPECT_EQ(RunCommand({file, "--abi", "emscripten"}, &out, &err), 2);
  EXPECT_NE(err.find("unknown ABI \"emscripten\""), std::string::npos);
  EXPECT_EQ(RunCommand({"/nonexistent.wasm"}, &out, &err), 2);
  EXPECT_NE(err.find("cannot read /nonexistent.wasm"), std::string::npos);
  EXPECT_EQ(RunCommand({file, "--bogus"}, &out, &err), 2);
  EXPECT_EQ(RunCommand({file, "--max-size", "12x"}, &out, &err), 2);
}

TEST(ValidateCommandTest, JsonReport) {
  const std::string file = WriteModule(testing::Build(testing::ProxyWasm()));
  std::string out;
  EXPECT_EQ(RunCommand({file, "--json", "--sha256", std::string(64, 'a')}, &out), 1);
  EXPECT_NE(out.find("\"reason\": \"sha256 mismatch"), std::string::npos) << out;
  EXPECT_NE(out.find("\"valid\": false"), std::string::npos) << out;
}

}  // namespace
}  // namespace limen::wasm

#include "limen/wasm/module.h"

#include <gtest/gtest.h>

#include <set>

#include "builder.h"

namespace limen::wasm {
namespace {

using namespace testing;  // NOLINT(google-build-using-namespace): the builder DSL

TEST(ReadModuleTest, DecodesSectionsImportsExportsAndMemory) {
  auto m = ReadModule(Build(ProxyWasm()));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_EQ(m->types.size(), 2u);
  EXPECT_EQ(m->types[1].params, std::vector<uint8_t>{0x7f});
  ASSERT_EQ(m->imports.size(), 1u);
  EXPECT_EQ(m->imports[0].module, "env");
  EXPECT_EQ(m->imports[0].name, "proxy_log");
  EXPECT_EQ(m->functions, (std::vector<uint32_t>{0, 1}));
  ASSERT_EQ(m->memories.size(), 1u);
  EXPECT_EQ(m->memories[0].min, 1u);
  EXPECT_EQ(m->code_count, 2u);
  ASSERT_NE(m->FindExport("proxy_on_memory_allocate"), nullptr);
  EXPECT_EQ(m->FindExport("proxy_on_memory_allocate")->index, 2u);
  EXPECT_EQ(m->ImportedCount(ExternalKind::kFunction), 1u);
  std::vector<std::string> names;
  for (const auto& s : m->sections) names.push_back(s.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"type", "import", "function", "memory", "export", "code"}));
}

TEST(ReadModuleTest, SizeLimitIsCheckedBeforeDecoding) {
  Bytes m = Build(WasiReactor());
  auto r = ReadModule(m, ReadOptions{m.size() - 1});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("exceeds the size limit"), std::string::npos);
}

TEST(ReadModuleTest, EveryTruncationInsideASectionIsRejected) {
  const Bytes full = Build(ProxyWasm());
  auto m = ReadModule(full);
  ASSERT_TRUE(m.ok());
  std::set<size_t> boundaries{8};
  for (const auto& s : m->sections) boundaries.insert(s.offset + s.size);
  for (size_t n = 0; n < full.size(); ++n) {
    Bytes prefix(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n));
    auto r = ReadModule(prefix);
    if (!boundaries.count(n)) {
      EXPECT_FALSE(r.ok()) << "prefix of " << n << " bytes was accepted";
    } else if (!r.ok()) {
      // A prefix may end between sections and still be invalid (functions without code).
      EXPECT_NE(r.status().message().find("no code section"), std::string::npos) << n;
    }
  }
}

}  // namespace
}  // namespace limen::wasm

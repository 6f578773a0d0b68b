#include "limen/bpf/procfs.h"

#include <gtest/gtest.h>
#include <unistd.h>

namespace limen::bpf {
namespace {

TEST(Procfs, Parsers) {
  EXPECT_EQ(ParseCpuStatUsageUsec("usage_usec 1500000\nuser_usec 1\nsystem_usec 2\n"), 1500000u);
  EXPECT_FALSE(ParseCpuStatUsageUsec("nr_periods 0\n").has_value());
  // comm with spaces and a ')' must not shift the fields.
  std::string stat = "123 (a) b) S 1 1 1 0 -1 4194560 100 0 0 0 7 5 0 0 20 0 1 0 100 0 0";
  EXPECT_EQ(ParseProcStatCpuTicks(stat), 12u);
  EXPECT_FALSE(ParseProcStatCpuTicks("garbage").has_value());
  EXPECT_EQ(ParseStatmResidentPages("1000 250 100 1 0 50 0\n"), 250u);
  EXPECT_FALSE(ParseStatmResidentPages("").has_value());
}

TEST(Procfs, ReadsSelfAndReportsVanishedPids) {
  auto rss = ProcessRssBytes(getpid());
  ASSERT_TRUE(rss.ok());
  EXPECT_GT(*rss, 0u);
  EXPECT_EQ(ProcessRssBytes(1 << 30).status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(ExecutableKey(1 << 30).ok());
}

}  // namespace
}  // namespace limen::bpf

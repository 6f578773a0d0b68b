#include "limen/base/malloc_cache.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace limen {
namespace {

TEST(TunablesWithMallocCacheTest, UnsetOrEmptyGetsTheCacheAlone) {
  EXPECT_EQ(TunablesWithMallocCache(nullptr, 2000), "glibc.malloc.tcache_count=2000");
  EXPECT_EQ(TunablesWithMallocCache("", 64), "glibc.malloc.tcache_count=64");
}

TEST(TunablesWithMallocCacheTest, OtherTunablesAreKept) {
  EXPECT_EQ(TunablesWithMallocCache("glibc.malloc.arena_max=2", 2000),
            "glibc.malloc.arena_max=2:glibc.malloc.tcache_count=2000");
  EXPECT_EQ(TunablesWithMallocCache("glibc.malloc.tcache_count_extra=1", 7),
            "glibc.malloc.tcache_count_extra=1:glibc.malloc.tcache_count=7");
}

TEST(TunablesWithMallocCacheTest, AnOperatorsCacheSettingWins) {
  EXPECT_EQ(TunablesWithMallocCache("glibc.malloc.tcache_count=10", 2000), std::nullopt);
  EXPECT_EQ(TunablesWithMallocCache("glibc.malloc.arena_max=2:glibc.malloc.tcache_count=0", 2000),
            std::nullopt);
}

// What the re-executed process sees; run only by the test below, in a child.
TEST(SizeMallocCacheOrReexecChild, DISABLED_SeesTheTunableAndTheMarker) {
  const char* tunables = std::getenv("GLIBC_TUNABLES");  // NOLINT(concurrency-mt-unsafe)
  ASSERT_NE(tunables, nullptr);
  EXPECT_EQ(std::string(tunables), "glibc.malloc.arena_max=1:glibc.malloc.tcache_count=123");
  EXPECT_NE(std::getenv("LIMEN_MALLOC_CACHE"), nullptr);  // NOLINT(concurrency-mt-unsafe)
}

TEST(SizeMallocCacheOrReexecTest, ExecutesItselfOnceWithTheTunable) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    ::setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=1", 1);  // NOLINT(concurrency-mt-unsafe)
    ::unsetenv("LIMEN_MALLOC_CACHE");                           // NOLINT(concurrency-mt-unsafe)
    std::string self = "/proc/self/exe";
    std::string filter = "--gtest_filter=SizeMallocCacheOrReexecChild.*";
    std::string disabled = "--gtest_also_run_disabled_tests";
    char* argv[] = {self.data(), filter.data(), disabled.data(), nullptr};
    SizeMallocCacheOrReexec(argv, 123);
    ::_exit(77);  // returned: not glibc's malloc (a sanitizer build), nothing executed
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "glibc's malloc is not the allocator";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the executed test failed";
}

}  // namespace
}  // namespace limen

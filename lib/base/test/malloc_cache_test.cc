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

// Runs the re-execution in a child; returns its exit status (77: it returned instead).
int ReexecChild(const char* tunables, bool marked) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    // NOLINTBEGIN(concurrency-mt-unsafe): the forked child has one thread
    ::setenv("GLIBC_TUNABLES", tunables, 1);
    if (marked) {
      ::setenv("LIMEN_MALLOC_CACHE", "1", 1);
    } else {
      ::unsetenv("LIMEN_MALLOC_CACHE");
    }
    // NOLINTEND(concurrency-mt-unsafe)
    std::string self = "/proc/self/exe";
    std::string filter = "--gtest_filter=SizeMallocCacheOrReexecChild.*";
    std::string disabled = "--gtest_also_run_disabled_tests";
    char* argv[] = {self.data(), filter.data(), disabled.data(), nullptr};
    internal::ReexecWithMallocCache(argv, 123);
    ::_exit(77);
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

TEST(SizeMallocCacheOrReexecTest, ExecutesItselfOnceWithTheTunable) {
  EXPECT_EQ(ReexecChild("glibc.malloc.arena_max=1", false), 0) << "the executed test failed";
}

TEST(SizeMallocCacheOrReexecTest, TheExecutedProcessOrAnOperatorsSettingDoesNotExecuteAgain) {
  EXPECT_EQ(ReexecChild("glibc.malloc.arena_max=1", true), 77);
  EXPECT_EQ(ReexecChild("glibc.malloc.tcache_count=5", false), 77);
}

}  // namespace
}  // namespace limen

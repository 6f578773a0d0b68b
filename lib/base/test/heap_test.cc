#include "limen/base/heap.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace limen {
namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kGlibcHeap = false;  // the sanitizer's allocator replaces malloc
#elif defined(__GLIBC__)
constexpr bool kGlibcHeap = true;
#else
constexpr bool kGlibcHeap = false;
#endif

#if defined(__GLIBC__)
// Bytes malloc holds in blocks mapped on their own.
size_t MappedBytes() { return mallinfo2().hblkhd; }
#endif

// glibc raises its mmap threshold to the size of a mapped block when one is freed: after a
// 4 MiB block, a 2 MiB one would extend the heap (this small test process has no 2 MiB free
// in it). ReturnLargeBlocksWhenFreed fixes the threshold, so the 2 MiB block is mapped, and
// unmapped when freed.
TEST(HeapTest, ReturnLargeBlocksWhenFreedMapsBlocksAboveTheThreshold) {
  if (!kGlibcHeap) GTEST_SKIP() << "glibc's malloc is not the allocator";
#if defined(__GLIBC__)
  // Touched through volatile: an allocation nothing reads may be optimised away.
  void* big = std::malloc(size_t{4} << 20);
  static_cast<volatile char*>(big)[0] = 1;
  std::free(big);
  malloc_trim(0);
  const size_t before = MappedBytes();
  ReturnLargeBlocksWhenFreed(size_t{64} * 1024);
  void* block = std::malloc(size_t{2} << 20);
  static_cast<volatile char*>(block)[0] = 1;
  EXPECT_GE(MappedBytes(), before + (size_t{2} << 20));
  std::free(block);
  EXPECT_EQ(MappedBytes(), before);
#endif
}

// The resident kB of the mapping that starts at `addr` (/proc/self/smaps).
size_t ResidentKb(const void* addr) {
  char start[32];
  std::snprintf(start, sizeof start, "%" PRIxPTR "-", reinterpret_cast<uintptr_t>(addr));
  std::ifstream smaps("/proc/self/smaps");
  bool in = false;
  for (std::string line; std::getline(smaps, line);) {
    uintptr_t begin = 0, end = 0;
    // NOLINTNEXTLINE(cert-err34-c): the count says whether the line starts a mapping
    if (std::sscanf(line.c_str(), "%" SCNxPTR "-%" SCNxPTR, &begin, &end) == 2) {
      in = line.rfind(start, 0) == 0;
    } else if (in && line.rfind("Rss:", 0) == 0) {
      return std::strtoul(line.c_str() + 4, nullptr, 10);
    }
  }
  return SIZE_MAX;
}

class FileMappingTest : public ::testing::Test {
 protected:
  static constexpr size_t kSize = size_t{64} * 1024;
  void SetUp() override {
    char path[] = "/tmp/limen-heap-test-XXXXXX";
    fd_ = mkstemp(path);
    ASSERT_GE(fd_, 0);
    unlink(path);
    std::string bytes(kSize, '\0');
    for (size_t i = 0; i < kSize; ++i) bytes[i] = static_cast<char>('a' + i % 26);
    ASSERT_EQ(write(fd_, bytes.data(), kSize), static_cast<ssize_t>(kSize));
  }
  void TearDown() override { close(fd_); }

  static char Sum(const char* p) {
    char sum = 0;
    for (size_t i = 0; i < kSize; i += 4096) sum = static_cast<char>(sum + p[i]);
    return sum;
  }
  int fd_ = -1;
};

// Code and constant data: dropped, and read back unchanged from the file.
TEST_F(FileMappingTest, DropStartupPagesDropsUnmodifiedReadOnlyMappings) {
  void* map = mmap(nullptr, kSize, PROT_READ, MAP_PRIVATE, fd_, 0);
  ASSERT_NE(map, MAP_FAILED);
  const auto* p = static_cast<const char*>(map);
  const char before = Sum(p);
  ASSERT_GT(ResidentKb(map), 0u);
  EXPECT_GE(DropStartupPages(), 64u);
  EXPECT_EQ(ResidentKb(map), 0u);
  EXPECT_EQ(Sum(p), before);
  EXPECT_EQ(p[27], 'b');
  munmap(map, kSize);
}

// Relocated read-only data (RELRO) holds private copies of pages: dropping them would bring
// the file's bytes back. Such a mapping, and a writable one, are left alone.
TEST_F(FileMappingTest, DropStartupPagesKeepsMappingsWithPrivatePages) {
  void* relro = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd_, 0);
  void* writable = mmap(nullptr, kSize, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd_, 0);
  ASSERT_NE(relro, MAP_FAILED);
  ASSERT_NE(writable, MAP_FAILED);
  static_cast<char*>(relro)[5000] = '!';
  static_cast<char*>(writable)[5000] = '?';
  ASSERT_EQ(mprotect(relro, kSize, PROT_READ), 0);
  (void)Sum(static_cast<const char*>(relro));
  DropStartupPages();
  EXPECT_EQ(static_cast<const char*>(relro)[5000], '!');
  EXPECT_EQ(static_cast<const char*>(writable)[5000], '?');
  EXPECT_GT(ResidentKb(relro), 0u);
  munmap(relro, kSize);
  munmap(writable, kSize);
}

}  // namespace
}  // namespace limen

#include "limen/base/heap.h"

#include <gtest/gtest.h>

#include <cstdlib>

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

}  // namespace
}  // namespace limen

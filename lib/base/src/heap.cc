#include "limen/base/heap.h"

#include <mutex>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LIMEN_SANITIZED_ALLOCATOR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LIMEN_SANITIZED_ALLOCATOR 1
#endif
#endif

namespace limen {

void ReleaseFreeHeap() {
#if defined(__GLIBC__) && !defined(LIMEN_SANITIZED_ALLOCATOR)
  static std::mutex mu;
  std::lock_guard lock(mu);
  malloc_trim(0);
#endif
}

void ReturnLargeBlocksWhenFreed(size_t bytes) {
#if defined(__GLIBC__) && !defined(LIMEN_SANITIZED_ALLOCATOR)
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(bytes));
#else
  (void)bytes;
#endif
}

}  // namespace limen

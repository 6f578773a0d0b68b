#include "limen/base/heap.h"

#include <sys/mman.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "sanitized_allocator.h"

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

namespace {

// One mapping of /proc/self/smaps, as far as DropStartupPages needs it.
struct Mapping {
  uintptr_t begin = 0, end = 0;
  bool droppable = false;  // private, not writable, file-backed
  size_t rss_kb = 0;
  size_t anonymous_kb = SIZE_MAX;  // unknown until its "Anonymous:" line
};

bool ParseHeader(const std::string& line, Mapping& m) {
  char perms[8] = {};
  uint64_t offset = 0, inode = 0;
  unsigned major = 0, minor = 0;
  uintptr_t begin = 0, end = 0;
  // NOLINTNEXTLINE(cert-err34-c): sscanf's count says whether the line is a header
  if (std::sscanf(line.c_str(), "%" SCNxPTR "-%" SCNxPTR " %7s %" SCNx64 " %x:%x %" SCNu64, &begin,
                  &end, perms, &offset, &major, &minor, &inode) != 7) {
    return false;
  }
  m = Mapping{begin, end, perms[0] == 'r' && perms[1] != 'w' && perms[3] == 'p' && inode != 0};
  return true;
}

size_t FieldKb(const std::string& line, const char* name) {
  if (line.rfind(name, 0) != 0) return SIZE_MAX;
  return std::strtoul(line.c_str() + std::strlen(name), nullptr, 10);
}

size_t Drop(const Mapping& m) {
  if (!m.droppable || m.anonymous_kb != 0 || m.rss_kb == 0) return 0;
  // NOLINTNEXTLINE(performance-no-int-to-ptr): an address from /proc/self/smaps
  void* addr = reinterpret_cast<void*>(m.begin);
  return madvise(addr, m.end - m.begin, MADV_DONTNEED) == 0 ? m.rss_kb : 0;
}

}  // namespace

size_t DropStartupPages() {
  std::ifstream smaps("/proc/self/smaps");
  size_t dropped = 0;
  Mapping m;
  for (std::string line; std::getline(smaps, line);) {
    Mapping next;
    if (ParseHeader(line, next)) {
      dropped += Drop(m);
      m = next;
    } else if (const size_t rss = FieldKb(line, "Rss:"); rss != SIZE_MAX) {
      m.rss_kb = rss;
    } else if (const size_t anonymous = FieldKb(line, "Anonymous:"); anonymous != SIZE_MAX) {
      m.anonymous_kb = anonymous;
    }
  }
  return dropped + Drop(m);
}

}  // namespace limen

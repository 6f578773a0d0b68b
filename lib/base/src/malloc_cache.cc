#include "limen/base/malloc_cache.h"

#include <unistd.h>

#include <cstdlib>
#include <string_view>

#include "sanitized_allocator.h"

namespace limen {
namespace {

constexpr std::string_view kTcacheCount = "glibc.malloc.tcache_count=";

}  // namespace

std::optional<std::string> TunablesWithMallocCache(const char* current, unsigned count) {
  const std::string_view value = current == nullptr ? std::string_view() : current;
  for (size_t begin = 0; begin <= value.size();) {
    size_t end = value.find(':', begin);
    if (end == std::string_view::npos) end = value.size();
    if (value.substr(begin, end - begin).starts_with(kTcacheCount)) return std::nullopt;
    begin = end + 1;
  }
  std::string out(value);
  if (!out.empty()) out += ':';
  out += kTcacheCount;
  out += std::to_string(count);
  return out;
}

void internal::ReexecWithMallocCache(char** argv, unsigned count) {
  constexpr const char* kMarker = "LIMEN_MALLOC_CACHE";
  // NOLINTBEGIN(concurrency-mt-unsafe): documented to run before any other thread exists
  if (std::getenv(kMarker) != nullptr) return;
  const auto tunables = TunablesWithMallocCache(std::getenv("GLIBC_TUNABLES"), count);
  if (!tunables) return;
  if (::setenv("GLIBC_TUNABLES", tunables->c_str(), 1) != 0 || ::setenv(kMarker, "1", 1) != 0) {
    return;
  }
  // NOLINTEND(concurrency-mt-unsafe)
  ::execv("/proc/self/exe", argv);
  // Not executed (no /proc, say): carry on with glibc's default cache.
}

void SizeMallocCacheOrReexec(char** argv, unsigned count) {
#if defined(__GLIBC__) && !defined(LIMEN_SANITIZED_ALLOCATOR)
  internal::ReexecWithMallocCache(argv, count);
#else
  (void)argv;
  (void)count;
#endif
}

}  // namespace limen

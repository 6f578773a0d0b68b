// Sizing glibc's per-thread malloc cache (tcache).
//
// glibc keeps at most 7 freed blocks per size class in a thread's cache
// (glibc.malloc.tcache_count); the others go back to an arena, under its lock. A request
// handler that builds and frees a JSON document of a few hundred nodes overflows that at
// once: in limen-webhook, malloc and free were a third of an admission's CPU, and with a
// cache of 2,000 blocks an admission took about 40 % less CPU (docs/benchmarks.md,
// admission webhook). Run handlers on a few threads (serving::HttpServerOptions::
// max_concurrent_handlers) so that only those threads hold such caches.
//
// glibc reads its tunables once, from the environment, when the program is executed; so the
// process executes itself once more with the setting in GLIBC_TUNABLES.
#pragma once

#include <optional>
#include <string>

namespace limen {

// The GLIBC_TUNABLES value that sets tcache_count to `count`, given the current value
// (nullptr: unset): the current entries with the new one appended, or nullopt when the
// current value sets tcache_count already (an operator's choice wins).
std::optional<std::string> TunablesWithMallocCache(const char* current, unsigned count);

// Executes /proc/self/exe again with the same arguments and GLIBC_TUNABLES from
// TunablesWithMallocCache. Returns, without executing anything, when the tunable is set
// already, in the executed process (LIMEN_MALLOC_CACHE in its environment: glibc ignores
// tunables in a set-user-ID program, and this must not loop), when glibc's malloc is not the
// allocator (sanitizers), or when the exec fails. Call it first in main, before any thread.
void SizeMallocCacheOrReexec(char** argv, unsigned count);

namespace internal {
// SizeMallocCacheOrReexec without the allocator check, so that a sanitizer build's tests run
// the re-execution too (where the tunable itself has no effect).
void ReexecWithMallocCache(char** argv, unsigned count);
}  // namespace internal

}  // namespace limen

// ReleaseFreeHeap: hands the free memory inside malloc's heaps back to the system (glibc's
// malloc_trim(0)). Every Limen binary calls it after bursts that free far more than they keep:
// a relist, a /metrics render, a burst of connections, a quiet spell after work.
//
// It does nothing where glibc's malloc is not the allocator. Under AddressSanitizer (or TSan)
// the sanitizer's allocator replaces malloc, glibc's own heap is never used, and its
// malloc_trim initialises that heap lazily without a lock: two first calls at once (the
// informers of limen-webhook finishing their initial lists together) crashed in glibc's
// mtrim reading a bin that was not set up yet.
//
// Thread-safety: safe from any thread; calls are serialised (each walks every arena under its
// lock anyway).
#pragma once

#include <cstddef>

namespace limen {

void ReleaseFreeHeap();

// ReturnLargeBlocksWhenFreed: from now on malloc gives every block of at least `bytes` a
// mapping of its own, so that freeing it hands it back to the system at once (glibc's
// M_MMAP_THRESHOLD, fixed; by default glibc raises that threshold, up to 32 MiB, each time
// such a block is freed, after which big blocks come from the heaps again).
//
// For processes that receive bodies faster than they decode them. cpprestsdk queues a
// response body in 64 KiB blocks, allocated on its pool threads; a protobuf LIST of 10,000
// Pods arrives in about half a second and queues tens of MB there, which left those threads'
// heaps fragmented for good: ≈ 1 KB more resident per cached Pod (docs/benchmarks.md, lib/kube
// informer). The cost is an mmap and a munmap per big block.
// Does nothing where ReleaseFreeHeap does nothing (not glibc, or a sanitizer's allocator).
// Thread-safety: call it at start, before other threads allocate.
void ReturnLargeBlocksWhenFreed(size_t bytes = size_t{64} * 1024);

}  // namespace limen

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

// DropStartupPages: unmaps the resident pages of this process's read-only, unmodified file
// mappings — the code and constant data of the binary and its shared libraries — so that
// only what runs afterwards comes back. The pages stay in the page cache: touching one again
// is a minor fault, never I/O. Returns the resident kB dropped.
//
// Why: a process's start-up (TLS and certificate set-up, configuration, the first lists)
// touches code it never runs again, and the kernel maps files 64 KiB around each page
// touched. limen-webhook had 13.5 MiB of file pages resident when ready, 9.5 MiB of which
// its admissions use (docs/benchmarks.md, admission webhook).
//
// Only private mappings that are not writable and hold no private (copied-on-write) page are
// dropped (/proc/self/smaps "Anonymous: 0"): their contents are exactly the file's, so
// dropping them loses nothing. Relocated read-only data (RELRO) holds private pages and is
// kept. Call once start-up is over; returns 0 where /proc/self/smaps cannot be read.
// Thread-safety: safe from any thread; other threads may run the code it drops.
size_t DropStartupPages();

}  // namespace limen

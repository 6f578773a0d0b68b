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

namespace limen {

void ReleaseFreeHeap();

}  // namespace limen

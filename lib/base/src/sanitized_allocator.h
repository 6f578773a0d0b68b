// LIMEN_SANITIZED_ALLOCATOR: defined when a sanitizer's allocator replaces malloc (ASan,
// TSan), so glibc's malloc tuning and trimming must not run. A private header of lib/base.
#pragma once

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LIMEN_SANITIZED_ALLOCATOR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LIMEN_SANITIZED_ALLOCATOR 1
#endif
#endif

// A proxy-wasm ABI 0.2.1 HTTP filter in C, compiled with clang --target=wasm32-wasi against
// Debian's wasi-libc. It adds a response header with a request counter and logs through the
// host — the shape of a STATS-phase filter a platform team would attach with a WasmFilter.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOST(name) __attribute__((import_module("env"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

enum { kLogInfo = 2, kMapResponseHeaders = 2, kActionContinue = 0 };

HOST(proxy_log) uint32_t proxy_log(uint32_t level, const char* message, size_t size);
HOST(proxy_add_header_map_value)
uint32_t proxy_add_header_map_value(uint32_t map, const char* key, size_t key_size,
                                    const char* value, size_t value_size);

static uint64_t requests;

EXPORT(proxy_abi_version_0_2_1) void proxy_abi_version_0_2_1(void) {}

EXPORT(proxy_on_memory_allocate) void* proxy_on_memory_allocate(size_t size) {
  return malloc(size);
}

EXPORT(proxy_on_vm_start) uint32_t proxy_on_vm_start(uint32_t root_context, uint32_t config_size) {
  (void)root_context;
  (void)config_size;
  static const char kMessage[] = "limen sample filter started";
  proxy_log(kLogInfo, kMessage, sizeof(kMessage) - 1);
  return 1;
}

EXPORT(proxy_on_configure) uint32_t proxy_on_configure(uint32_t root_context, uint32_t size) {
  (void)root_context;
  (void)size;
  return 1;
}

EXPORT(proxy_on_context_create) void proxy_on_context_create(uint32_t context, uint32_t parent) {
  (void)context;
  (void)parent;
}

EXPORT(proxy_on_request_headers)
uint32_t proxy_on_request_headers(uint32_t context, uint32_t headers, uint32_t end_of_stream) {
  (void)context;
  (void)headers;
  (void)end_of_stream;
  ++requests;
  return kActionContinue;
}

EXPORT(proxy_on_response_headers)
uint32_t proxy_on_response_headers(uint32_t context, uint32_t headers, uint32_t end_of_stream) {
  (void)context;
  (void)headers;
  (void)end_of_stream;
  char value[24];
  int n = snprintf(value, sizeof(value), "%llu", (unsigned long long)requests);
  static const char kKey[] = "x-limen-requests";
  proxy_add_header_map_value(kMapResponseHeaders, kKey, sizeof(kKey) - 1, value, (size_t)n);
  return kActionContinue;
}

EXPORT(proxy_on_done) uint32_t proxy_on_done(uint32_t context) {
  (void)context;
  return 1;
}

EXPORT(proxy_on_delete) void proxy_on_delete(uint32_t context) { (void)context; }

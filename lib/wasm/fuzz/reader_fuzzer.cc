// libFuzzer target for the WebAssembly reader and validator: arbitrary bytes must never
// crash, read out of bounds or allocate without bound (vector counts are checked against the
// bytes left before any reservation).
#include <cstddef>
#include <cstdint>
#include <span>

#include "limen/wasm/validator.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  for (auto abi : {limen::wasm::Abi::kWasi, limen::wasm::Abi::kProxyWasm}) {
    limen::wasm::ValidationOptions options;
    options.abi = abi;
    options.max_size = 1 << 20;
    (void)limen::wasm::Validate(bytes, options);
  }
  return 0;
}

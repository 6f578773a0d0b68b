// Fuzzes ParseKubeconfig with arbitrary text: a kubeconfig is user input. It must return a
// Config or an error, never throw or crash (yaml-cpp exceptions are caught inside).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "limen/kube/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // A path under a directory that does not exist: file references fail cleanly.
  auto config = limen::kube::ParseKubeconfig(text, "/nonexistent-limen-fuzz/config");
  (void)config.ok();
  return 0;
}

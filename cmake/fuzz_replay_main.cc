// Replays a fuzz target's seed corpus: every regular file under the given paths is fed
// once to LLVMFuzzerTestOneInput. Lets ctest run each corpus under the build's sanitizers
// without libFuzzer (which needs clang); a crash or sanitizer report fails the test.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {
int replay(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  int count = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path root(argv[i]);
    if (std::filesystem::is_regular_file(root)) {
      count += replay(root);
      continue;
    }
    if (!std::filesystem::is_directory(root)) {
      std::fprintf(stderr, "corpus path %s does not exist\n", argv[i]);
      return 2;
    }
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (entry.is_regular_file()) count += replay(entry.path());
    }
  }
  if (count == 0) {
    std::fprintf(stderr, "empty corpus: a fuzz target must ship seed inputs\n");
    return 2;
  }
  std::printf("replayed %d corpus inputs\n", count);
  return 0;
}

// wasm_corpus_gen DIR: writes the validation corpus (corpus.h) as DIR/<name>.wasm plus
// DIR/manifest.tsv (name, abi, well-formed for wasm-tools, well-formed for Limen, reason)
// for the cross-check with `wasm-tools validate` (lib/wasm/test/wasm_tools_crosscheck.sh).
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "corpus.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir(argv[1]);
  std::filesystem::create_directories(dir);
  std::ofstream manifest(dir / "manifest.tsv");
  for (const auto& c : limen::wasm::testing::Corpus()) {
    std::ofstream(dir / (c.name + ".wasm"), std::ios::binary)
        .write(reinterpret_cast<const char*>(c.bytes.data()),
               static_cast<std::streamsize>(c.bytes.size()));
    manifest << c.name << '\t' << (c.abi ? limen::wasm::AbiName(*c.abi) : "-") << '\t'
             << (c.well_formed ? 1 : 0) << '\t' << (c.well_formed && !c.component ? 1 : 0) << '\t'
             << (c.reason.empty() ? "-" : c.reason) << '\n';
  }
  return 0;
}

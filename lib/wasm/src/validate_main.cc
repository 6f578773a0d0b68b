// limen-wasm-validate: the offline WASM validation command as a standalone tool.
#include <iostream>

#include "limen/wasm/validate_command.h"

int main(int argc, char** argv) {
  return limen::wasm::RunValidateCommand({argv + 1, argv + argc}, std::cout, std::cerr);
}

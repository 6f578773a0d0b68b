// The offline validation command, shared by `limen-operator wasm validate` and the
// `limen-wasm-validate` tool:
//
//   validate FILE [--abi wasi|proxy-wasm] [--sha256 HEX] [--max-size BYTES] [--json]
//
// Prints the verdict and reason (or a JSON report) and returns the exit code: 0 valid,
// 1 invalid, 2 usage error or unreadable file.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace limen::wasm {

int RunValidateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace limen::wasm

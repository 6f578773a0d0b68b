#include "limen/wasm/validate_command.h"

#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "limen/wasm/validator.h"

namespace limen::wasm {
namespace {

constexpr const char* kUsage =
    "usage: validate FILE [--abi wasi|proxy-wasm] [--sha256 HEX] [--max-size BYTES] [--json]\n";

struct Args {
  std::string file;
  ValidationOptions options;
  bool json = false;
};

StatusOr<Args> ParseArgs(const std::vector<std::string>& args) {
  Args a;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&]() -> StatusOr<std::string> {
      if (i + 1 >= args.size()) return Status::InvalidArgument(arg + " needs a value");
      return args[++i];
    };
    if (arg == "--json") {
      a.json = true;
    } else if (arg == "--abi") {
      LIMEN_ASSIGN_OR_RETURN(std::string v, value());
      LIMEN_ASSIGN_OR_RETURN(a.options.abi, ParseAbi(v));
    } else if (arg == "--sha256") {
      LIMEN_ASSIGN_OR_RETURN(a.options.expected_sha256, value());
    } else if (arg == "--max-size") {
      LIMEN_ASSIGN_OR_RETURN(std::string v, value());
      if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 12) {
        return Status::InvalidArgument("--max-size must be a number of bytes, not \"" + v + "\"");
      }
      a.options.max_size = std::stoull(v);
    } else if (!arg.empty() && arg[0] == '-') {
      return Status::InvalidArgument("unknown flag " + arg);
    } else if (a.file.empty()) {
      a.file = arg;
    } else {
      return Status::InvalidArgument("more than one FILE given");
    }
  }
  if (a.file.empty()) return Status::InvalidArgument("FILE is required");
  return a;
}

nlohmann::json ToJson(const Report& r) {
  return {{"valid", r.valid},
          {"reason", r.reason},
          {"size", r.size},
          {"sha256", r.sha256},
          {"abi", r.detected_abi ? AbiName(*r.detected_abi) : ""},
          {"imports", r.imports},
          {"exports", r.exports}};
}

}  // namespace

int RunValidateCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto parsed = ParseArgs(args);
  if (!parsed.ok()) {
    err << "error: " << parsed.status().message() << "\n" << kUsage;
    return 2;
  }
  std::ifstream in(parsed->file, std::ios::binary);
  if (!in) {
    err << "error: cannot read " << parsed->file << "\n";
    return 2;
  }
  const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                   std::istreambuf_iterator<char>()};
  const Report r = Validate(bytes, parsed->options);
  if (parsed->json) {
    out << ToJson(r).dump(2) << "\n";
  } else if (r.valid) {
    out << parsed->file << ": valid"
        << (r.detected_abi ? std::string(" (") + AbiName(*r.detected_abi) + ")" : "") << ", "
        << r.size << " bytes, sha256 " << r.sha256 << "\n";
  } else {
    out << parsed->file << ": invalid: " << r.reason << "\n";
  }
  return r.valid ? 0 : 1;
}

}  // namespace limen::wasm

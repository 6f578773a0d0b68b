#include "common.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "limen/kube/config.h"

namespace limen::bench {

StatusOr<std::map<std::string, std::string>> ParseFlags(int argc, char** argv, int first) {
  std::map<std::string, std::string> flags;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    auto eq = arg.find('=');
    if (!arg.starts_with("--") || eq == std::string::npos) {
      return Status::InvalidArgument("expected --key=value, got '" + arg + "'");
    }
    flags[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
  }
  return flags;
}

std::string FlagOr(const std::map<std::string, std::string>& flags, const std::string& key,
                   const std::string& fallback) {
  auto it = flags.find(key);
  return it == flags.end() ? fallback : it->second;
}

StatusOr<std::unique_ptr<kube::HttpClient>> MakeClient(const std::string& path, bool rate_limited) {
  kube::ConfigSources sources;
  sources.kubeconfig_path = path;
  auto config = kube::LoadConfig(sources);
  if (!config.ok()) return config.status();
  kube::HttpClientOptions options;
  if (!rate_limited) options.rate_limit.qps = 0;
  return kube::HttpClient::Create(std::move(config).value(), options);
}

long long RssBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      long long kb = -1;
      fields >> kb;
      return kb * 1024;
    }
  }
  return -1;
}

void Emit(const nlohmann::json& j) { std::cout << j.dump() << std::endl; }

}  // namespace limen::bench

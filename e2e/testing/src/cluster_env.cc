#include "limen/testing/cluster_env.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace limen::testing {

StatusOr<std::map<std::string, std::string>> ParseEnvFile(std::string_view text) {
  std::map<std::string, std::string> out;
  std::istringstream in{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    const auto eq = line.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("line " + std::to_string(number) +
                                     " is not KEY=VALUE: " + line);
    }
    out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

StatusOr<ClusterEnv> LoadClusterEnv(const std::string& dir) {
  const std::string path = dir + "/env";
  std::ifstream in(path);
  if (!in) return Status::NotFound(path + " does not exist: is the cluster up (e2e/cluster/up)?");
  std::stringstream text;
  text << in.rdbuf();
  auto vars = ParseEnvFile(text.str());
  if (!vars.ok()) return vars.status().WithContext(path);

  ClusterEnv env;
  const std::pair<const char*, std::string*> fields[] = {
      {"LIMEN_CLUSTER_DIR", &env.dir},
      {"LIMEN_CLUSTER_SERVER", &env.server},
      {"LIMEN_CLUSTER_CA", &env.ca_file},
      {"LIMEN_CLUSTER_CLIENT_CERT", &env.client_cert},
      {"LIMEN_CLUSTER_CLIENT_KEY", &env.client_key},
      {"KUBECONFIG", &env.kubeconfig},
      {"LIMEN_CLUSTER_ETCD", &env.etcd},
  };
  for (const auto& [key, field] : fields) {
    auto it = vars->find(key);
    if (it == vars->end()) return Status::InvalidArgument(path + ": missing " + key);
    *field = it->second;
  }
  return env;
}

StatusOr<ClusterEnv> LoadClusterEnv() {
  const char* dir = std::getenv("LIMEN_CLUSTER_DIR");
  if (dir == nullptr || *dir == '\0') {
    return Status::FailedPrecondition(
        "LIMEN_CLUSTER_DIR is not set: run integration tests through ctest (fixture 'cluster')");
  }
  return LoadClusterEnv(dir);
}

}  // namespace limen::testing

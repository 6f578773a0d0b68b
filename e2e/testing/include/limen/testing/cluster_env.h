// ClusterEnv: where the local control plane of e2e/cluster/up is, for integration tests.
//
// e2e/cluster/up writes DIR/env (KEY=VALUE lines); tests receive DIR in LIMEN_CLUSTER_DIR
// from the ctest `cluster` fixture. Thread-safety: a plain value.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "limen/base/status.h"

namespace limen::testing {

struct ClusterEnv {
  std::string dir;          // the cluster directory
  std::string server;       // https://127.0.0.1:<port>
  std::string ca_file;      // cluster CA certificate (PEM)
  std::string client_cert;  // admin client certificate (PEM), group system:masters
  std::string client_key;   // its private key (PEM)
  std::string kubeconfig;   // admin kubeconfig
  std::string etcd;         // http://127.0.0.1:<port>
};

// Parses the KEY=VALUE lines of an env file; blank lines and '#' comments are skipped.
// A line without '=' is an error naming its line number.
StatusOr<std::map<std::string, std::string>> ParseEnvFile(std::string_view text);

// Reads DIR/env for DIR = $LIMEN_CLUSTER_DIR. Every field is required.
StatusOr<ClusterEnv> LoadClusterEnv();
StatusOr<ClusterEnv> LoadClusterEnv(const std::string& dir);

}  // namespace limen::testing

// Config: where the apiserver is and how to authenticate to it — loaded from a kubeconfig
// file or from the in-cluster service account, with kubectl's precedence.
//
// LoadConfig precedence (the first source present wins; its errors are final):
//   1. an explicit path (a --kubeconfig flag),
//   2. $KUBECONFIG (a ':'-separated list: the first file that exists; lists are not merged),
//   3. in-cluster: $KUBERNETES_SERVICE_HOST and $KUBERNETES_SERVICE_PORT set,
//   4. ~/.kube/config.
// Certificate and key files are read when the config is loaded, so a bad path is reported
// at start-up. Every error is one Status naming the file and the field, e.g.
//   kubeconfig /etc/k.yaml: users["admin"].client-key: cannot read /etc/admin.key: ...
// Bearer tokens from files (kubeconfig tokenFile, the in-cluster token) are re-read
// periodically by TokenSource, because bound service-account tokens rotate.
//
// Thread-safety: Config is a value; its TokenSource is shared and thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "limen/base/status.h"
#include "limen/kube/clock.h"

namespace limen::kube {

// The current bearer token: a fixed string, or a file re-read every `refresh`. When a re-read
// fails the last good token is kept (and a warning logged), as client-go's cachingTokenSource.
class TokenSource {
 public:
  static std::shared_ptr<TokenSource> Static(std::string token);
  // REQUIRES: `initial` is the file's current content (the loader has read it).
  static std::shared_ptr<TokenSource> File(std::string path, std::string initial,
                                           Clock::Duration refresh = std::chrono::minutes(1),
                                           Clock& clock = RealClock::Instance());
  std::string Token();
  const std::string& path() const { return path_; }  // "" for a static token

 private:
  TokenSource(std::string path, std::string token, Clock::Duration refresh, Clock& clock);

  const std::string path_;  // constant after construction
  const Clock::Duration refresh_;
  Clock& clock_;
  std::mutex mu_;
  std::string token_;          // guarded by mu_
  Clock::MonoTime last_read_;  // guarded by mu_
};

struct Config {
  std::string server;  // "https://10.0.0.1:443"; no trailing slash
  std::string ca_pem;  // trusted CA certificates (PEM); empty = the system's roots
  std::string client_cert_pem;
  std::string client_key_pem;
  bool insecure_skip_tls_verify = false;  // only when the kubeconfig says so explicitly
  std::shared_ptr<TokenSource> token;     // null = no bearer token
  std::string default_namespace = "default";
  std::string source;  // where it came from, for logs: "kubeconfig /x (context y)", "in-cluster"
};

// Parses kubeconfig text. `path` names the file in errors and anchors relative paths;
// `context` "" = current-context.
StatusOr<Config> ParseKubeconfig(std::string_view yaml, const std::string& path,
                                 const std::string& context = "");
StatusOr<Config> LoadKubeconfig(const std::string& path, const std::string& context = "");

struct InClusterOptions {
  std::string service_account_dir = "/var/run/secrets/kubernetes.io/serviceaccount";
  std::optional<std::string> host;  // nullopt = $KUBERNETES_SERVICE_HOST
  std::optional<std::string> port;  // nullopt = $KUBERNETES_SERVICE_PORT
  Clock::Duration token_refresh = std::chrono::minutes(1);
};

// True when the service host and port are known (we run in a Pod).
bool InClusterAvailable(const InClusterOptions& opts = {});
// Reads token, ca.crt and namespace from the service-account directory.
StatusOr<Config> LoadInClusterConfig(const InClusterOptions& opts = {});

struct ConfigSources {
  std::string kubeconfig_path;                // explicit flag; "" = none
  std::string context;                        // kubeconfig context; "" = current-context
  std::optional<std::string> kubeconfig_env;  // nullopt = $KUBECONFIG
  std::optional<std::string> home;            // nullopt = $HOME
  InClusterOptions in_cluster;
};

StatusOr<Config> LoadConfig(const ConfigSources& sources = {});

// Reads a whole file; errors name the file.
StatusOr<std::string> ReadFileToString(const std::string& path);

}  // namespace limen::kube

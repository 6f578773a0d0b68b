#include "limen/kube/config.h"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include <spdlog/spdlog.h>

namespace limen::kube {
namespace {

std::optional<std::string> Env(const char* name) {
  // NOLINTNEXTLINE(concurrency-mt-unsafe): Limen never modifies its environment.
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

// Tokens are files written by kubelet or humans; a trailing newline is not part of them.
std::string TrimSpace(std::string s) {
  const auto end = s.find_last_not_of(" \t\r\n");
  s.erase(end == std::string::npos ? 0 : end + 1);
  const auto begin = s.find_first_not_of(" \t\r\n");
  return begin == std::string::npos ? std::string() : s.substr(begin);
}

}  // namespace

StatusOr<std::string> ReadFileToString(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound("cannot read " + path + ": " + std::generic_category().message(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::Unavailable("error reading " + path);
  return ss.str();
}

// --- TokenSource ----------------------------------------------------------------------

TokenSource::TokenSource(std::string path, std::string token, Clock::Duration refresh, Clock& clock)
    : path_(std::move(path)),
      refresh_(refresh),
      clock_(clock),
      token_(std::move(token)),
      last_read_(clock.Monotonic()) {}

std::shared_ptr<TokenSource> TokenSource::Static(std::string token) {
  return std::shared_ptr<TokenSource>(
      new TokenSource("", std::move(token), Clock::Duration::zero(), RealClock::Instance()));
}

std::shared_ptr<TokenSource> TokenSource::File(std::string path, std::string initial,
                                               Clock::Duration refresh, Clock& clock) {
  return std::shared_ptr<TokenSource>(
      new TokenSource(std::move(path), TrimSpace(std::move(initial)), refresh, clock));
}

std::string TokenSource::Token() {
  std::lock_guard lock(mu_);
  if (path_.empty()) return token_;
  const auto now = clock_.Monotonic();
  if (now - last_read_ < refresh_) return token_;
  last_read_ = now;
  auto text = ReadFileToString(path_);
  if (!text.ok()) {
    spdlog::warn("token: keeping the previous token: {}", text.status().message());
  } else if (auto t = TrimSpace(*text); t.empty()) {
    spdlog::warn("token: keeping the previous token: {} is empty", path_);
  } else {
    token_ = std::move(t);
  }
  return token_;
}

// --- in-cluster -----------------------------------------------------------------------

bool InClusterAvailable(const InClusterOptions& opts) {
  const auto host = opts.host ? opts.host : Env("KUBERNETES_SERVICE_HOST");
  const auto port = opts.port ? opts.port : Env("KUBERNETES_SERVICE_PORT");
  return host && !host->empty() && port && !port->empty();
}

StatusOr<Config> LoadInClusterConfig(const InClusterOptions& opts) {
  const auto host = opts.host ? opts.host : Env("KUBERNETES_SERVICE_HOST");
  const auto port = opts.port ? opts.port : Env("KUBERNETES_SERVICE_PORT");
  if (!host || host->empty() || !port || port->empty()) {
    return Status::FailedPrecondition(
        "in-cluster config: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set");
  }
  const std::string dir = opts.service_account_dir;
  auto fail = [&](const std::string& file, const Status& s) {
    return Status(s.code(), "in-cluster config: " + dir + "/" + file + ": " + s.message());
  };
  Config c;
  // An IPv6 service address needs brackets in a URL.
  const bool ipv6 = host->find(':') != std::string::npos;
  c.server = "https://" + (ipv6 ? "[" + *host + "]" : *host) + ":" + *port;
  auto token = ReadFileToString(dir + "/token");
  if (!token.ok()) return fail("token", token.status());
  if (TrimSpace(*token).empty()) return fail("token", Status::InvalidArgument("the file is empty"));
  c.token = TokenSource::File(dir + "/token", *token, opts.token_refresh);
  auto ca = ReadFileToString(dir + "/ca.crt");
  if (!ca.ok()) return fail("ca.crt", ca.status());
  c.ca_pem = std::move(*ca);
  // The namespace file is optional (client-go falls back to "default").
  if (auto ns = ReadFileToString(dir + "/namespace"); ns.ok() && !TrimSpace(*ns).empty()) {
    c.default_namespace = TrimSpace(*ns);
  }
  c.source = "in-cluster (" + dir + ")";
  return c;
}

// --- precedence -----------------------------------------------------------------------

StatusOr<Config> LoadConfig(const ConfigSources& sources) {
  if (!sources.kubeconfig_path.empty()) {
    return LoadKubeconfig(sources.kubeconfig_path, sources.context);
  }
  const auto env = sources.kubeconfig_env ? sources.kubeconfig_env : Env("KUBECONFIG");
  if (env && !env->empty()) {
    std::stringstream list(*env);
    std::string first;
    for (std::string path; std::getline(list, path, ':');) {
      if (path.empty()) continue;
      if (first.empty()) first = path;
      std::error_code ec;
      if (std::filesystem::exists(path, ec)) return LoadKubeconfig(path, sources.context);
    }
    if (!first.empty()) {
      return Status::NotFound("KUBECONFIG=" + *env + ": no such file (first entry: " + first + ")");
    }
  }
  if (InClusterAvailable(sources.in_cluster)) return LoadInClusterConfig(sources.in_cluster);
  const auto home = sources.home ? sources.home : Env("HOME");
  if (home && !home->empty()) {
    const std::string path = *home + "/.kube/config";
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) return LoadKubeconfig(path, sources.context);
  }
  return Status::NotFound(
      "no Kubernetes config: no --kubeconfig, KUBECONFIG unset, not in a cluster "
      "(KUBERNETES_SERVICE_HOST unset) and no ~/.kube/config");
}

}  // namespace limen::kube

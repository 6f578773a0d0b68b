// TakeOverSystemTrustStore() against the real apiserver's TLS endpoint. A binary of its own:
// the take-over changes the process's environment for good.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "limen/kube/base64.h"
#include "limen/kube/config.h"
#include "limen/kube/http_client.h"
#include "limen/testing/cluster_env.h"

namespace limen::kube {
namespace {

std::string Read(const std::string& path) {
  auto text = ReadFileToString(path);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : std::string();
}

// Here the "system roots" (SSL_CERT_FILE when the process starts) are the cluster's CA, so
// a configuration without a CA verifies the apiserver only if the client still loads them.
TEST(TrustStoreIntegrationTest, TakeOverKeepsTrustAndEmptiesOpenSslDefault) {
  auto env = limen::testing::LoadClusterEnv();
  ASSERT_TRUE(env.ok()) << env.status().ToString();
  ::setenv("SSL_CERT_FILE", env->ca_file.c_str(), 1);  // NOLINT(concurrency-mt-unsafe)
  TakeOverSystemTrustStore();
  TakeOverSystemTrustStore();  // idempotent: still remembers the real file, not /dev/null
  EXPECT_STREQ(std::getenv("SSL_CERT_FILE"), "/dev/null");  // NOLINT(concurrency-mt-unsafe)

  const std::string other_ca_dir = ::testing::TempDir() + "trust-other-ca";
  ASSERT_EQ(std::system(("mkdir -p " + other_ca_dir +  // NOLINT(concurrency-mt-unsafe)
                         " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
                         " -nodes -days 1 -subj /CN=other-ca -keyout " +
                         other_ca_dir + "/ca.key -out " + other_ca_dir + "/ca.crt 2>/dev/null")
                            .c_str()),
            0);
  const std::string user = "users:\n- name: u\n  user:\n    client-certificate-data: " +
                           Base64Encode(Read(env->client_cert)) +
                           "\n    client-key-data: " + Base64Encode(Read(env->client_key)) + "\n";
  auto connect = [&](const std::string& cluster_fields) -> ApiResult<Object> {
    auto config = ParseKubeconfig("clusters:\n- name: k\n  cluster:\n    server: " + env->server +
                                      "\n" + cluster_fields + user +
                                      "contexts:\n- name: c\n  context: {cluster: k, user: u}\n"
                                      "current-context: c\n",
                                  "/inline/kubeconfig");
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    if (!config.ok()) return ApiError::Transport("Test", "bad config");
    HttpClientOptions options;
    options.retry.max_attempts = 1;
    auto client = HttpClient::Create(*config, options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    if (!client.ok()) return ApiError::Transport("Test", "no client");
    return (*client)->GetPath("/version");
  };

  auto system_roots = connect("");
  EXPECT_TRUE(system_roots.ok()) << system_roots.error().ToString();
  auto own_ca =
      connect("    certificate-authority-data: " + Base64Encode(Read(env->ca_file)) + "\n");
  EXPECT_TRUE(own_ca.ok()) << own_ca.error().ToString();
  auto other_ca = connect(
      "    certificate-authority-data: " + Base64Encode(Read(other_ca_dir + "/ca.crt")) + "\n");
  ASSERT_FALSE(other_ca.ok());
  EXPECT_EQ(other_ca.error().code, 0) << other_ca.error().ToString();
}

}  // namespace
}  // namespace limen::kube

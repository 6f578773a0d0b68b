#include "limen/kube/config.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace limen::kube {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("limen-config-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string Write(const std::string& rel, const std::string& content) {
    const fs::path p = dir_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << content;
    return p.string();
  }

  fs::path dir_;
};

// "hello CA" etc. in base64.
const char kKubeconfig[] = R"(apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: dev-cluster
  cluster:
    server: https://10.0.0.1:6443/
    certificate-authority-data: aGVsbG8gQ0E=
- name: prod-cluster
  cluster:
    server: https://prod:443
    certificate-authority: pki/ca.crt
    insecure-skip-tls-verify: false
- name: lab-cluster
  cluster:
    server: https://lab:443
    insecure-skip-tls-verify: true
users:
- name: dev
  user:
    client-certificate-data: Y2VydA==
    client-key-data: a2V5
- name: prod
  user:
    client-certificate: pki/prod.crt
    client-key: /ABS/prod.key
- name: robot
  user:
    tokenFile: robot.token
contexts:
- name: dev
  context: {cluster: dev-cluster, user: dev, namespace: team-a}
- name: prod
  context: {cluster: prod-cluster, user: prod}
- name: lab
  context: {cluster: lab-cluster, user: robot}
)";

std::string WithAbs(const std::string& text, const std::string& abs) {
  std::string out = text;
  out.replace(out.find("/ABS"), 4, abs);
  return out;
}

TEST_F(ConfigTest, CurrentContextWithInlineData) {
  auto c = ParseKubeconfig(kKubeconfig, "/nowhere/config");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server, "https://10.0.0.1:6443");  // trailing slash dropped
  EXPECT_EQ(c->ca_pem, "hello CA");
  EXPECT_EQ(c->client_cert_pem, "cert");
  EXPECT_EQ(c->client_key_pem, "key");
  EXPECT_FALSE(c->insecure_skip_tls_verify);
  EXPECT_EQ(c->token, nullptr);
  EXPECT_EQ(c->default_namespace, "team-a");
  EXPECT_EQ(c->source, "kubeconfig /nowhere/config (context dev)");
}

TEST_F(ConfigTest, NamedContextWithFilesRelativeToTheKubeconfig) {
  Write("kube/pki/ca.crt", "CA PEM");
  Write("kube/pki/prod.crt", "CERT PEM");
  const std::string key = Write("elsewhere/prod.key", "KEY PEM");
  const std::string path =
      Write("kube/config", WithAbs(kKubeconfig, (dir_ / "elsewhere").string()));
  auto c = LoadKubeconfig(path, "prod");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server, "https://prod:443");
  EXPECT_EQ(c->ca_pem, "CA PEM");
  EXPECT_EQ(c->client_cert_pem, "CERT PEM");
  EXPECT_EQ(c->client_key_pem, "KEY PEM");
  EXPECT_EQ(c->default_namespace, "default");
}

TEST_F(ConfigTest, InsecureOnlyWhenExplicitAndTokenFileRotates) {
  Write("kube/robot.token", "first\n");
  const std::string path = Write("kube/config", kKubeconfig);
  auto c = LoadKubeconfig(path, "lab");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_TRUE(c->insecure_skip_tls_verify);
  ASSERT_NE(c->token, nullptr);
  EXPECT_EQ(c->token->Token(), "first");
  EXPECT_EQ(c->token->path(), (dir_ / "kube/robot.token").string());
}

TEST_F(ConfigTest, TokenSourceRereadsAfterTheRefreshInterval) {
  const std::string path = Write("token", "one");
  FakeClock clock;
  auto source = TokenSource::File(path, "one", 1min, clock);
  Write("token", "two\n");
  EXPECT_EQ(source->Token(), "one");  // cached
  clock.Advance(61s);
  EXPECT_EQ(source->Token(), "two");
  fs::remove(path);
  clock.Advance(61s);
  EXPECT_EQ(source->Token(), "two");  // a failed re-read keeps the last good token
}

struct BadCase {
  const char* name;
  std::string yaml;
  std::string context;
  std::string expected;  // substring of the error
};

TEST_F(ConfigTest, ErrorsNameTheFileAndTheField) {
  const std::vector<BadCase> cases = {
      {"yaml", "clusters: [", "", "/k/config: (document): invalid YAML"},
      {"no current", "clusters: []\n", "", "/k/config: current-context: is not set"},
      {"unknown context", kKubeconfig, "nope",
       "/k/config: --context: refers to context \"nope\", which is not in contexts"},
      {"missing cluster",
       "current-context: c\ncontexts:\n- name: c\n  context: {cluster: x, user: u}\n", "",
       "contexts[\"c\"].context.cluster: refers to cluster \"x\", which is not in clusters"},
      {"no server",
       "current-context: c\ncontexts:\n- name: c\n  context: {cluster: x}\nclusters:\n- name: "
       "x\n  cluster: {}\n",
       "", "clusters[\"x\"].cluster.server: is not set"},
      {"bad base64",
       "current-context: c\ncontexts:\n- name: c\n  context: {cluster: x}\nclusters:\n- name: "
       "x\n  cluster: {server: 'https://a', certificate-authority-data: '!!'}\n",
       "", "clusters[\"x\"].cluster.certificate-authority-data: is not valid base64"},
      {"missing file",
       "current-context: c\ncontexts:\n- name: c\n  context: {cluster: x}\nclusters:\n- name: "
       "x\n  cluster: {server: 'https://a', certificate-authority: ca.pem}\n",
       "", "clusters[\"x\"].cluster.certificate-authority: cannot read /k/ca.pem"},
      {"exec",
       "current-context: c\ncontexts:\n- name: c\n  context: {cluster: x, user: u}\nclusters:\n- "
       "name: x\n  cluster: {server: 'https://a'}\nusers:\n- name: u\n  user:\n    exec: {}\n",
       "", "users[\"u\"].user.exec: is not supported"},
      {"cert without key",
       "current-context: c\ncontexts:\n- name: c\n  context: {cluster: x, user: u}\nclusters:\n- "
       "name: x\n  cluster: {server: 'https://a'}\nusers:\n- name: u\n  user:\n    "
       "client-certificate-data: Y2VydA==\n",
       "", "users[\"u\"].user: client-certificate and client-key must be set together"},
      {"insecure not bool",
       "current-context: c\ncontexts:\n- name: c\n  context: {cluster: x}\nclusters:\n- name: "
       "x\n  cluster: {server: 'https://a', insecure-skip-tls-verify: maybe}\n",
       "", "insecure-skip-tls-verify: must be true or false"},
      {"server not url",
       "current-context: c\ncontexts:\n- name: c\n  context: {cluster: x}\nclusters:\n- name: "
       "x\n  cluster: {server: 'a:443'}\n",
       "", "is not an http(s) URL"},
  };
  for (const auto& c : cases) {
    auto r = ParseKubeconfig(c.yaml, "/k/config", c.context);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_NE(r.status().message().find(c.expected), std::string::npos)
        << c.name << ": " << r.status().message();
    EXPECT_NE(r.status().message().find("kubeconfig /k/config"), std::string::npos) << c.name;
  }
}

TEST_F(ConfigTest, MissingKubeconfigNamesTheFile) {
  auto r = LoadKubeconfig((dir_ / "absent").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find((dir_ / "absent").string()), std::string::npos);
}

TEST_F(ConfigTest, InCluster) {
  Write("sa/token", "tok-1\n");
  Write("sa/ca.crt", "CLUSTER CA");
  Write("sa/namespace", "limen-system");
  InClusterOptions o;
  o.service_account_dir = (dir_ / "sa").string();
  o.host = "10.96.0.1";
  o.port = "443";
  auto c = LoadInClusterConfig(o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->server, "https://10.96.0.1:443");
  EXPECT_EQ(c->ca_pem, "CLUSTER CA");
  EXPECT_EQ(c->default_namespace, "limen-system");
  EXPECT_EQ(c->token->Token(), "tok-1");
  EXPECT_EQ(c->token->path(), (dir_ / "sa/token").string());

  o.host = "fd00::1";
  EXPECT_EQ(LoadInClusterConfig(o)->server, "https://[fd00::1]:443");
}

TEST_F(ConfigTest, InClusterErrorsNameTheFile) {
  InClusterOptions o;
  o.service_account_dir = (dir_ / "sa").string();
  o.host = "10.96.0.1";
  o.port = "443";
  auto r = LoadInClusterConfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("sa/token"), std::string::npos) << r.status().message();
  Write("sa/token", "t");
  r = LoadInClusterConfig(o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("sa/ca.crt"), std::string::npos) << r.status().message();
  o.host = "";
  EXPECT_FALSE(InClusterAvailable(o));
}

TEST_F(ConfigTest, Precedence) {
  const std::string a = Write("a/config", kKubeconfig);  // context dev → 10.0.0.1
  std::string b_text = kKubeconfig;
  b_text.replace(b_text.find("https://10.0.0.1:6443/"), 22, "https://b:1");
  const std::string b = Write("b/config", b_text);
  std::string home_text = kKubeconfig;
  home_text.replace(home_text.find("https://10.0.0.1:6443/"), 22, "https://home:1");
  Write("home/.kube/config", home_text);
  Write("sa/token", "t");
  Write("sa/ca.crt", "CA");

  ConfigSources s;
  s.kubeconfig_path = a;
  s.kubeconfig_env = b;
  s.home = (dir_ / "home").string();
  s.in_cluster.service_account_dir = (dir_ / "sa").string();
  s.in_cluster.host = "10.96.0.1";
  s.in_cluster.port = "443";
  EXPECT_EQ(LoadConfig(s)->server, "https://10.0.0.1:6443");  // 1. explicit path
  s.kubeconfig_path.clear();
  EXPECT_EQ(LoadConfig(s)->server, "https://b:1");  // 2. KUBECONFIG
  s.kubeconfig_env = (dir_ / "missing").string() + ":" + a;
  EXPECT_EQ(LoadConfig(s)->server, "https://10.0.0.1:6443");  // first existing entry
  s.kubeconfig_env = "";
  EXPECT_EQ(LoadConfig(s)->server, "https://10.96.0.1:443");  // 3. in-cluster
  s.in_cluster.host = "";
  EXPECT_EQ(LoadConfig(s)->server, "https://home:1");  // 4. ~/.kube/config
  s.home = (dir_ / "nohome").string();
  auto none = LoadConfig(s);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);

  s.kubeconfig_env = (dir_ / "missing").string();
  auto missing = LoadConfig(s);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("KUBECONFIG"), std::string::npos);
}

}  // namespace
}  // namespace limen::kube

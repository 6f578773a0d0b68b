// The dry-run CLI: `plan` prints the patch the webhook would return, `inject` the mutated
// Pod; bad input gives an error message and a non-zero exit code.
#include "limen/webhook/cli.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace limen::webhook {
namespace {

const std::string kDir = LIMEN_WEBHOOK_TESTDATA;

TEST(Cli, PlanPrintsThePatch) {
  std::ostringstream out, err;
  const int rc =
      RunPlanCommand({"--pod", kDir + "/pods/01-checkout-minimal.yaml", "--policy",
                      kDir + "/cluster.yaml", "--namespace-labels", "limen.dev/injection=enabled"},
                     false, out, err);
  ASSERT_EQ(rc, 0) << err.str();
  const auto patch = nlohmann::json::parse(out.str());
  ASSERT_TRUE(patch.is_array());
  EXPECT_GT(patch.size(), 3u);
  EXPECT_NE(err.str().find("\"reason\":\"Injected\""), std::string::npos) << err.str();
  EXPECT_NE(err.str().find("warning: spec.wasmFilters[2] (draft)"), std::string::npos) << err.str();
}

TEST(Cli, InjectPrintsThePodAndHonoursOlderCluster) {
  std::ostringstream out, err;
  const int rc = RunPlanCommand(
      {"-f", kDir + "/pods/01-checkout-minimal.yaml", "--policies", kDir, "--older-cluster"}, true,
      out, err);
  ASSERT_EQ(rc, 0) << err.str();
  const auto pod = nlohmann::json::parse(out.str());
  EXPECT_EQ(pod["spec"]["containers"].size(), 2u);
  EXPECT_EQ(pod["metadata"]["annotations"]["limen.dev/injected"], "checkout@3f9a1c0d2b4e6f70");
}

TEST(Cli, NamespaceLabelsWithoutOptInLeaveThePodUntouched) {
  std::ostringstream out, err;
  ASSERT_EQ(RunPlanCommand({"--pod", kDir + "/pods/01-checkout-minimal.yaml", "--policy",
                            kDir + "/cluster.yaml", "--namespace-labels", "team=a"},
                           false, out, err),
            0);
  EXPECT_EQ(nlohmann::json::parse(out.str()), nlohmann::json::array());
}

TEST(Cli, ErrorsAreMessagesNotCrashes) {
  std::ostringstream out, err;
  EXPECT_EQ(RunPlanCommand({}, false, out, err), 2);
  EXPECT_NE(err.str().find("--pod"), std::string::npos);
  EXPECT_NE(RunPlanCommand({"--pod", "/nonexistent.yaml"}, false, out, err), 0);
  EXPECT_NE(RunPlanCommand({"--pod", kDir + "/cluster.yaml", "--bogus"}, false, out, err), 0);
  EXPECT_NE(RunPlanCommand({"--pod", kDir + "/pods/01-checkout-minimal.yaml", "--sidecar-image",
                            "envoy:latest"},
                           false, out, err),
            0);
  EXPECT_NE(err.str().find("not pinned by digest"), std::string::npos);
}

TEST(Cli, CertsWritesAUsablePair) {
  const auto dir = std::filesystem::temp_directory_path() / "limen-cli-certs";
  std::filesystem::remove_all(dir);
  std::ostringstream out, err;
  ASSERT_EQ(RunCertsCommand({"--out", dir.string(), "--ip", "127.0.0.1"}, out, err), 0)
      << err.str();
  for (const char* f : {"ca.crt", "ca.key", "tls.crt", "tls.key"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  }
  std::ifstream ca_in(dir / "ca.crt");
  const std::string ca((std::istreambuf_iterator<char>(ca_in)), std::istreambuf_iterator<char>());
  ASSERT_EQ(RunCertsCommand({"--out", dir.string(), "--ip", "127.0.0.1", "--reuse-ca"}, out, err),
            0);
  std::ifstream ca_again(dir / "ca.crt");
  EXPECT_EQ(ca, std::string((std::istreambuf_iterator<char>(ca_again)),
                            std::istreambuf_iterator<char>()));
  std::filesystem::remove_all(dir);
}

// The `serve` flags of the certificate manager.
StatusOr<CertManagerFlags> ParseCertFlags(std::vector<std::string> args) {
  CertManagerFlags f;
  for (size_t i = 0; i < args.size(); ++i) {
    LIMEN_ASSIGN_OR_RETURN(bool consumed, ParseCertManagerFlag(args, i, f));
    if (!consumed) return Status::InvalidArgument("not a cert flag: " + args[i]);
  }
  LIMEN_RETURN_IF_ERROR(ValidateCertManagerFlags(f));
  return f;
}

TEST(Cli, CertManagerFlags) {
  auto f = ParseCertFlags({"--cert-secret",
                           "sys/certs",
                           "--webhook-config",
                           "limen",
                           "--cert-dns",
                           "limen-webhook.sys.svc",
                           "--cert-ip",
                           "127.0.0.1",
                           "--ca-validity",
                           "60s",
                           "--ca-renew-before",
                           "30s",
                           "--cert-validity",
                           "20s",
                           "--renew-before",
                           "10s",
                           "--ca-propagation-delay",
                           "5s",
                           "--cert-sync-interval",
                           "1s"});
  ASSERT_TRUE(f.ok()) << f.status().message();
  EXPECT_TRUE(f->enabled());
  EXPECT_EQ(f->secret_namespace, "sys");
  EXPECT_EQ(f->secret_name, "certs");
  EXPECT_EQ(f->mutating_webhook_configuration, "limen");
  EXPECT_EQ(f->validating_webhook_configuration, "limen");
  EXPECT_EQ(f->policy.cert_validity, std::chrono::seconds(20));
  EXPECT_EQ(f->policy.propagation_delay, std::chrono::seconds(5));
  EXPECT_EQ(f->sync_interval, std::chrono::seconds(1));

  // The defaults nest.
  auto d = ParseCertFlags({"--cert-secret", "certs", "--cert-dns", "x.svc"});
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_FALSE(d->secret_namespace.empty());

  // Not consumed: other flags are left to the caller.
  CertManagerFlags g;
  std::vector<std::string> other = {"--port", "1"};
  size_t i = 0;
  auto consumed = ParseCertManagerFlag(other, i, g);
  ASSERT_TRUE(consumed.ok());
  EXPECT_FALSE(*consumed);
  EXPECT_EQ(i, 0u);

  struct Bad {
    std::vector<std::string> args;
    std::string want;
  };
  const std::vector<Bad> bad = {
      {{"--cert-secret"}, "needs a value"},
      {{"--cert-secret", "a/b/c", "--cert-dns", "x"}, "NAMESPACE/NAME"},
      {{"--cert-secret", "a/b", "--ca-validity", "5d", "--cert-dns", "x"}, "unknown unit"},
      {{"--cert-secret", "a/b", "--cert-validity", "1.5s", "--cert-dns", "x"}, "whole number"},
      {{"--cert-secret", "a/b"}, "DNS name or IP"},
      {{"--cert-secret", "a/b", "--cert-ip", "localhost"}, "not an IP"},
      {{"--cert-dns", "x"}, "need --cert-secret"},
      {{"--cert-secret", "a/b", "--cert-dns", "x", "--ca-validity", "1500h"}, "ca-validity"},
      {{"--cert-secret", "a/b", "--cert-dns", "x", "--cert-sync-interval", "300h"},
       "cert-sync-interval"},
  };
  for (const auto& b : bad) {
    auto r = ParseCertFlags(b.args);
    ASSERT_FALSE(r.ok()) << b.want;
    EXPECT_NE(r.status().message().find(b.want), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace limen::webhook

// The first contact with the real kube-apiserver, with nothing of Limen's client in between:
// cpprestsdk over TLS with the admin client certificate reads /version, then creates, reads
// and deletes a ConfigMap. If this fails, the control plane or the TLS set-up is broken.
#include <cpprest/http_client.h>
#include <gtest/gtest.h>

#include <pplx/threadpool.h>
#include <boost/asio/ssl.hpp>
#include <nlohmann/json.hpp>

#include "limen/testing/cluster_env.h"

namespace limen {
namespace {

using web::http::methods;
using web::http::status_codes;

class ApiserverSmokeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto env = testing::LoadClusterEnv();
    ASSERT_TRUE(env.ok()) << env.status().ToString();
    env_ = *env;
    web::http::client::http_client_config config;
    config.set_timeout(std::chrono::seconds(10));
    config.set_ssl_context_callback([env = env_](boost::asio::ssl::context& ctx) {
      ctx.load_verify_file(env.ca_file);
      ctx.use_certificate_chain_file(env.client_cert);
      ctx.use_private_key_file(env.client_key, boost::asio::ssl::context::pem);
    });
    client_ = std::make_unique<web::http::client::http_client>(env_.server, config);
  }

  // Sends a request and returns (status code, parsed body).
  std::pair<int, nlohmann::json> Send(const web::http::method& method, const std::string& path,
                                      const nlohmann::json* body = nullptr) {
    web::http::http_request request(method);
    request.set_request_uri(path);
    if (body != nullptr) request.set_body(body->dump(), "application/json");
    auto response = client_->request(request).get();
    const std::string text = response.extract_utf8string(true).get();
    return {response.status_code(), nlohmann::json::parse(text, nullptr, false)};
  }

  testing::ClusterEnv env_;
  std::unique_ptr<web::http::client::http_client> client_;
};

TEST_F(ApiserverSmokeTest, ReadsVersion) {
  auto [code, body] = Send(methods::GET, "/version");
  ASSERT_EQ(code, status_codes::OK);
  EXPECT_EQ(body.value("major", ""), "1");
  EXPECT_EQ(body.value("gitVersion", "").rfind("v1.", 0), 0u) << body.dump();
}

TEST_F(ApiserverSmokeTest, CreatesGetsAndDeletesAConfigMap) {
  const std::string base = "/api/v1/namespaces/default/configmaps";
  const nlohmann::json cm = {{"apiVersion", "v1"},
                             {"kind", "ConfigMap"},
                             {"metadata", {{"name", "limen-smoke"}}},
                             {"data", {{"greeting", "hello"}}}};
  auto [created, created_body] = Send(methods::POST, base, &cm);
  ASSERT_EQ(created, status_codes::Created) << created_body.dump();
  EXPECT_FALSE(created_body["metadata"].value("resourceVersion", "").empty());

  auto [got, got_body] = Send(methods::GET, base + "/limen-smoke");
  ASSERT_EQ(got, status_codes::OK);
  EXPECT_EQ(got_body["data"]["greeting"], "hello");
  EXPECT_EQ(got_body["metadata"]["uid"], created_body["metadata"]["uid"]);

  auto [deleted, deleted_body] = Send(methods::DEL, base + "/limen-smoke");
  ASSERT_EQ(deleted, status_codes::OK) << deleted_body.dump();

  auto [gone, gone_body] = Send(methods::GET, base + "/limen-smoke");
  EXPECT_EQ(gone, status_codes::NotFound);
  EXPECT_EQ(gone_body.value("reason", ""), "NotFound");
}

TEST_F(ApiserverSmokeTest, RejectsAnonymousClients) {
  web::http::client::http_client_config config;
  config.set_ssl_context_callback(
      [ca = env_.ca_file](boost::asio::ssl::context& ctx) { ctx.load_verify_file(ca); });
  web::http::client::http_client anonymous(env_.server, config);
  auto response = anonymous.request(methods::GET, "/api/v1/namespaces/default/configmaps").get();
  EXPECT_EQ(response.status_code(), status_codes::Forbidden);
}

}  // namespace
}  // namespace limen

#include "limen/serving/http_server.h"

#include <arpa/inet.h>
#include <cpprest/http_client.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ssl.hpp>
#include <cstdlib>
#include <stdexcept>

namespace limen::serving {
namespace {

uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

void AddRoutes(HttpServer& s) {
  s.Route("GET", "/hello", [](const Request& r) {
    return Response::Text(200, "hello " + (r.query.count("name") ? r.query.at("name") : "world"));
  });
  s.Route("POST", "/echo", [](const Request& r) { return Response::Json(201, r.body); });
  s.Route("GET", "/boom", [](const Request&) -> Response { throw std::runtime_error("bug"); });
}

TEST(HttpServerDispatchTest, RoutesByPathAndMethod) {
  HttpServer s(HttpServerOptions{});
  AddRoutes(s);
  EXPECT_EQ(s.Dispatch({"GET", "/hello", {{"name", "limen"}}, {}, ""}).body, "hello limen");
  Response echo = s.Dispatch({"POST", "/echo", {}, {}, R"({"a":1})"});
  EXPECT_EQ(echo.status, 201);
  EXPECT_EQ(echo.content_type, "application/json");
  EXPECT_EQ(echo.body, R"({"a":1})");
}

TEST(HttpServerDispatchTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  HttpServer s(HttpServerOptions{});
  AddRoutes(s);
  EXPECT_EQ(s.Dispatch({"GET", "/nope", {}, {}, ""}).status, 404);
  Response r = s.Dispatch({"DELETE", "/echo", {}, {}, ""});
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers["Allow"], "POST");
}

TEST(HttpServerDispatchTest, OversizedBodyIs413) {
  HttpServerOptions o;
  o.max_body_bytes = 4;
  HttpServer s(o);
  AddRoutes(s);
  Response r = s.Dispatch({"POST", "/echo", {}, {}, "12345"});
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("exceeds the limit of 4"), std::string::npos);
}

TEST(HttpServerDispatchTest, ThrowingHandlerIs500) {
  HttpServer s(HttpServerOptions{});
  AddRoutes(s);
  EXPECT_EQ(s.Dispatch({"GET", "/boom", {}, {}, ""}).status, 500);
}

TEST(HttpServerTest, ServesOverHttp) {
  HttpServerOptions o;
  o.port = FreePort();
  HttpServer s(o);
  AddRoutes(s);
  ASSERT_TRUE(s.Start().ok());
  web::http::client::http_client client(s.Url());
  auto r = client.request(web::http::methods::GET, "/hello?name=a%20b").get();
  EXPECT_EQ(r.status_code(), 200);
  EXPECT_EQ(r.extract_utf8string(true).get(), "hello a b");
  auto missing = client.request(web::http::methods::GET, "/missing").get();
  EXPECT_EQ(missing.status_code(), 404);
  s.Stop();
}

TEST(HttpServerTest, PortInUseIsAnError) {
  HttpServerOptions o;
  o.port = FreePort();
  HttpServer first(o);
  AddRoutes(first);
  ASSERT_TRUE(first.Start().ok());
  HttpServer second(o);
  AddRoutes(second);
  Status st = second.Start();
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
}

// A self-signed certificate for 127.0.0.1, made with the openssl CLI in a temp directory.
std::string MakeCertificate() {
  const std::string dir = ::testing::TempDir() + "serving-tls";
  const std::string cmd =
      "mkdir -p " + dir +
      " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "
      "/CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
      dir + "/tls.key -out " + dir + "/tls.crt 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
  return dir;
}

TEST(HttpServerTest, ServesOverTls) {
  const std::string dir = MakeCertificate();
  HttpServerOptions o;
  o.port = FreePort();
  o.tls = TlsFiles{dir + "/tls.crt", dir + "/tls.key"};
  HttpServer s(o);
  AddRoutes(s);
  ASSERT_TRUE(s.Start().ok());
  EXPECT_EQ(s.Url().rfind("https://", 0), 0u);
  web::http::client::http_client_config config;
  config.set_ssl_context_callback(
      [dir](boost::asio::ssl::context& ctx) { ctx.load_verify_file(dir + "/tls.crt"); });
  web::http::client::http_client client(s.Url(), config);
  auto r = client.request(web::http::methods::GET, "/hello").get();
  EXPECT_EQ(r.status_code(), 200);
  EXPECT_EQ(r.extract_utf8string(true).get(), "hello world");
}

TEST(HttpServerTest, UnreadableCertificateIsAnErrorNamingTheFile) {
  HttpServerOptions o;
  o.port = FreePort();
  o.tls = TlsFiles{"/nonexistent/tls.crt", "/nonexistent/tls.key"};
  HttpServer s(o);
  Status st = s.Start();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("/nonexistent/tls.crt"), std::string::npos);
}

TEST(HttpServerTest, ZeroPortIsRejected) {
  HttpServer s(HttpServerOptions{});
  AddRoutes(s);
  EXPECT_EQ(s.Start().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace limen::serving

#include "limen/serving/http_server.h"

#include <arpa/inet.h>
#include <cpprest/http_client.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pplx/threadpool.h>

#include <boost/asio/ssl.hpp>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace limen::serving {
namespace {

// Every Limen binary sizes cpprest's shared pool to a few threads; so does this test binary
// (before any cpprest use), so that a handler blocking a pool thread shows up as a hang.
const bool kSmallPool = [] {
  crossplat::threadpool::initialize_with_threads(2);
  return true;
}();

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

// Connects to 127.0.0.1:port; -1 on failure. Reads time out after 10 s.
int Connect(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  return fd;
}

bool SendAll(int fd, const std::string& bytes) {
  return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

TEST(HttpServerTest, SlowBodiesOnMoreConnectionsThanPoolThreadsAreAllAnswered) {
  ASSERT_TRUE(kSmallPool);
  HttpServerOptions o;
  o.port = FreePort();
  HttpServer s(o);
  AddRoutes(s);
  ASSERT_TRUE(s.Start().ok());
  // 8 requests (4 × the pool) whose headers arrive first and bodies later: a server waiting
  // for a body on a pool thread would run out of threads to read the bodies with.
  std::vector<int> fds;
  for (int i = 0; i < 8; ++i) {
    const int fd = Connect(o.port);
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SendAll(fd,
                        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        "Content-Length: 7\r\n\r\n"));
    fds.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  for (int fd : fds) ASSERT_TRUE(SendAll(fd, R"({"a":1})"));
  for (int fd : fds) {
    char buf[512];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0) << "no answer within 10 s";
    EXPECT_EQ(std::string(buf, static_cast<size_t>(n)).rfind("HTTP/1.1 201", 0), 0u);
    ::close(fd);
  }
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

#include "limen/serving/http_server.h"

#include <arpa/inet.h>
#include <cpprest/http_client.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pplx/threadpool.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <cstdio>
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
  HttpServer s(o);
  AddRoutes(s);
  ASSERT_TRUE(s.Start().ok());
  // 8 requests (4 × the pool) whose headers arrive first and bodies later: a server waiting
  // for a body on a pool thread would run out of threads to read the bodies with.
  std::vector<int> fds;
  for (int i = 0; i < 8; ++i) {
    const int fd = Connect(s.Port());
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

TEST(HttpServerTest, AtMostMaxConcurrentHandlersRunAtOnce) {
  HttpServerOptions o;
  o.max_concurrent_handlers = 2;
  HttpServer s(o);
  std::atomic<int> running{0}, peak{0};
  s.Route("GET", "/slow", [&](const Request&) {
    const int now = ++running;
    for (int seen = peak.load(); now > seen && !peak.compare_exchange_weak(seen, now);) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    --running;
    return Response::Text(200, "done");
  });
  ASSERT_TRUE(s.Start().ok());
  // Six connections at once: without the limit, six handlers would overlap.
  std::vector<int> fds;
  for (int i = 0; i < 6; ++i) {
    const int fd = Connect(s.Port());
    ASSERT_GE(fd, 0);
    ASSERT_TRUE(SendAll(fd, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
    fds.push_back(fd);
  }
  for (int fd : fds) {
    char buf[512];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    ASSERT_GT(n, 0) << "no answer within 10 s";
    EXPECT_EQ(std::string(buf, static_cast<size_t>(n)).rfind("HTTP/1.1 200", 0), 0u);
    ::close(fd);
  }
  EXPECT_EQ(peak.load(), 2);
  s.Stop();
}

TEST(HttpServerTest, PortInUseIsAnError) {
  HttpServerOptions o;
  HttpServer first(o);
  AddRoutes(first);
  ASSERT_TRUE(first.Start().ok());
  o.port = first.Port();
  HttpServer second(o);
  AddRoutes(second);
  Status st = second.Start();
  EXPECT_FALSE(st.ok());
  EXPECT_EQ(st.code(), StatusCode::kUnavailable);
}

// A self-signed certificate for 127.0.0.1, made with the openssl CLI in a temp directory.
std::string MakeCertificate() {
  std::string dir = ::testing::TempDir() + "serving-tls";
  const std::string cmd =
      "mkdir -p " + dir +
      " && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 -subj "
      "/CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " +
      dir + "/tls.key -out " + dir + "/tls.crt 2>/dev/null";
  EXPECT_EQ(std::system(cmd.c_str()), 0);  // NOLINT(concurrency-mt-unsafe): test setup
  return dir;
}

TEST(HttpServerTest, ServesOverTls) {
  const std::string dir = MakeCertificate();
  HttpServerOptions o;
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
  o.tls = TlsFiles{"/nonexistent/tls.crt", "/nonexistent/tls.key"};
  HttpServer s(o);
  Status st = s.Start();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("/nonexistent/tls.crt"), std::string::npos);
}

TEST(HttpServerTest, ZeroPortBindsAFreePortAndReportsIt) {
  HttpServer s(HttpServerOptions{});
  AddRoutes(s);
  ASSERT_TRUE(s.Start().ok());
  EXPECT_NE(s.Port(), 0);
  EXPECT_EQ(s.Url(), "http://127.0.0.1:" + std::to_string(s.Port()));
  web::http::client::http_client client(s.Url());
  EXPECT_EQ(client.request(web::http::methods::GET, "/hello").get().status_code(), 200);
}

// Everything `fd` sends until it closes (or 10 s pass).
std::string ReadToEnd(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;)
    out.append(buf, static_cast<size_t>(n));
  return out;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

class RawHttpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AddRoutes(server_);
    ASSERT_TRUE(server_.Start().ok());
    fd_ = Connect(server_.Port());
    ASSERT_GE(fd_, 0);
  }
  void TearDown() override {
    if (fd_ >= 0) ::close(fd_);
  }
  HttpServerOptions Options() {
    HttpServerOptions o;
    o.max_body_bytes = 64;
    return o;
  }
  HttpServer server_{Options()};
  int fd_ = -1;
};

TEST_F(RawHttpTest, KeepAliveServesPipelinedRequestsInOrderOnOneConnection) {
  ASSERT_TRUE(SendAll(fd_,
                      "GET /hello?name=one HTTP/1.1\r\nHost: x\r\n\r\n"
                      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                      "GET /hello?name=three HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string all = ReadToEnd(fd_);
  const size_t one = all.find("hello one"), abc = all.find("\r\n\r\nabc"),
               three = all.find("hello three");
  ASSERT_NE(one, std::string::npos) << all;
  ASSERT_NE(abc, std::string::npos) << all;
  ASSERT_NE(three, std::string::npos) << all;
  EXPECT_LT(one, abc);
  EXPECT_LT(abc, three);
  EXPECT_EQ(Count(all, "HTTP/1.1 "), 3u);
  EXPECT_EQ(Count(all, "Connection: close"), 1u);
}

TEST_F(RawHttpTest, OpenConnectionsCountsUntilThePeerCloses) {
  auto eventually = [this](size_t want) {
    for (int i = 0; i < 500 && server_.OpenConnections() != want; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return server_.OpenConnections();
  };
  const int second = Connect(server_.Port());
  ASSERT_GE(second, 0);
  EXPECT_EQ(eventually(2), 2u);
  ::close(second);
  EXPECT_EQ(eventually(1), 1u);
  ::close(fd_);
  fd_ = -1;
  EXPECT_EQ(eventually(0), 0u);
}

TEST_F(RawHttpTest, ChunkedBodyWithExpectContinue) {
  ASSERT_TRUE(SendAll(fd_,
                      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                      "Expect: 100-continue\r\n\r\n"));
  char buf[256];
  const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(SendAll(fd_, "3\r\n{\"a\r\n3\r\n\":1\r\n1\r\n}\r\n0\r\n\r\n"));
  ::shutdown(fd_, SHUT_WR);
  const std::string all = ReadToEnd(fd_);
  EXPECT_EQ(all.rfind("HTTP/1.1 201 Created\r\n", 0), 0u) << all;
  EXPECT_NE(all.find("\r\n\r\n{\"a\":1}"), std::string::npos) << all;
}

TEST_F(RawHttpTest, OversizedBodyIs413BeforeItIsSentAndTheAnswerSurvivesTheClose) {
  // The client sends its whole body anyway (no Expect): the server must drain it before
  // closing, or the reset would destroy the 413 on its way.
  const std::string body(200000, 'x');
  ASSERT_TRUE(SendAll(fd_, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n"));
  SendAll(fd_, body);
  const std::string all = ReadToEnd(fd_);
  EXPECT_EQ(all.rfind("HTTP/1.1 413 Content Too Large\r\n", 0), 0u) << all.substr(0, 200);
  EXPECT_NE(all.find("exceeds the limit of 64"), std::string::npos);
}

TEST_F(RawHttpTest, MalformedHeadIs400NamingTheProblem) {
  ASSERT_TRUE(
      SendAll(fd_, "POST /echo HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"));
  const std::string all = ReadToEnd(fd_);
  EXPECT_EQ(all.rfind("HTTP/1.1 400 Bad Request\r\n", 0), 0u) << all;
  EXPECT_NE(all.find("conflicting Content-Length headers"), std::string::npos) << all;
}

TEST_F(RawHttpTest, StopClosesIdleConnectionsPromptly) {
  ASSERT_TRUE(SendAll(fd_, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  char buf[512];
  ASSERT_GT(::recv(fd_, buf, sizeof buf, 0), 0);
  const uint16_t port = server_.Port();
  const auto t0 = std::chrono::steady_clock::now();
  server_.Stop();  // the connection is idle in keep-alive
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
  EXPECT_EQ(::recv(fd_, buf, sizeof buf, 0), 0);  // closed
  EXPECT_LT(Connect(port), 0);                    // and no longer listening
}

// A body larger than the copy limit is written from the handler's own buffer, after its head;
// after_sent runs once per response, once it has been written (the /metrics route returns
// the free heap to the system there).
TEST(HttpServerTest, LargeBodiesArriveWholeAndAfterSentRunsOncePerResponse) {
  HttpServer s(HttpServerOptions{});
  const std::string big(3 * 1024 * 1024 + 7, 'z');
  std::atomic<int> sent = 0;
  s.Route("GET", "/big", [&](const Request&) {
    Response r = Response::Text(200, big);
    r.after_sent = [&sent] { ++sent; };
    return r;
  });
  AddRoutes(s);
  ASSERT_TRUE(s.Start().ok());
  const int fd = Connect(s.Port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(SendAll(fd,
                      "GET /big HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                      "GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string all = ReadToEnd(fd);
  ::close(fd);
  EXPECT_EQ(Count(all, "\r\nContent-Length: " + std::to_string(big.size()) + "\r\n"), 2u);
  EXPECT_EQ(std::count(all.begin(), all.end(), 'z'), static_cast<std::ptrdiff_t>(2 * big.size()));
  EXPECT_NE(all.find("\r\n\r\nhello world"), std::string::npos);
  for (int i = 0; i < 500 && sent < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(sent, 2);
  s.Stop();
}

TEST(HttpServerTest, ConnectionsBeyondTheLimitAreClosed) {
  HttpServerOptions o;
  o.max_connections = 1;
  HttpServer s(o);
  AddRoutes(s);
  ASSERT_TRUE(s.Start().ok());
  const int first = Connect(s.Port());
  ASSERT_TRUE(SendAll(first, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  char buf[512];
  ASSERT_GT(::recv(first, buf, sizeof buf, 0), 0);  // served, and held open
  const int second = Connect(s.Port());
  ASSERT_GE(second, 0);
  SendAll(second, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_LE(::recv(second, buf, sizeof buf, 0), 0);
  ::close(first);
  ::close(second);
}

TEST(HttpServerTest, RotatedCertificateIsServedFromTheNextConnection) {
  const std::string dir = MakeCertificate();
  const std::string combined = dir + "/combined.pem";
  ASSERT_EQ(std::system(  // NOLINT(concurrency-mt-unsafe): test setup
                ("cat " + dir + "/tls.crt " + dir + "/tls.key > " + combined).c_str()),
            0);
  HttpServerOptions o;
  o.tls = TlsFiles{combined, combined};
  HttpServer s(o);
  AddRoutes(s);
  ASSERT_TRUE(s.Start().ok());
  auto serial = [&] {
    const std::string cmd =
        "echo | openssl s_client -connect 127.0.0.1:" + std::to_string(s.Port()) +
        " 2>/dev/null | openssl x509 -noout -serial 2>/dev/null";
    std::string out;
    if (FILE* p = ::popen(cmd.c_str(), "r")) {
      char buf[256];
      while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
      ::pclose(p);
    }
    return out;
  };
  const std::string before = serial();
  ASSERT_NE(before.find("serial="), std::string::npos);
  const std::string fresh = ::testing::TempDir() + "serving-tls-new";
  ASSERT_EQ(std::system(  // NOLINT(concurrency-mt-unsafe): test setup
                ("mkdir -p " + fresh +
                 " && openssl req -x509 -newkey ec -pkeyopt "
                 "ec_paramgen_curve:prime256v1 -nodes -days 1 -subj /CN=127.0.0.1 "
                 "-keyout " +
                 fresh + "/k -out " + fresh + "/c 2>/dev/null && cat " + fresh + "/c " + fresh +
                 "/k > " + combined + ".tmp && mv " + combined + ".tmp " + combined)
                    .c_str()),
            0);
  const std::string after = serial();
  ASSERT_NE(after.find("serial="), std::string::npos);
  EXPECT_NE(before, after);
  // A broken file keeps the last good certificate.
  ASSERT_EQ(std::system(  // NOLINT(concurrency-mt-unsafe): test setup
                ("echo garbage > " + combined).c_str()),
            0);
  EXPECT_EQ(serial(), after);
}

}  // namespace
}  // namespace limen::serving

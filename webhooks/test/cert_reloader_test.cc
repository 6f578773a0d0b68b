// Hot reload of the serving certificate over real TLS connections: a client keeps making
// HTTPS requests (a new connection each, as the apiserver does when its pool turns over)
// while the certificate and key files are replaced — non-atomically, key first — many
// times. Every request must succeed, and after the last rotation the new certificate must be
// the one served. Also: TLS < 1.2 is refused, an invalid pair is not published.
#include "limen/webhook/cert_reloader.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "limen/serving/http_server.h"

namespace limen::webhook {
namespace {

namespace fs = std::filesystem;

uint16_t FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

void WriteFile(const fs::path& p, const std::string& data) {
  std::ofstream(p, std::ios::trunc) << data;
}

std::string PemOf(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<size_t>(n));
  BIO_free(bio);
  return out;
}

struct Result {
  bool ok = false;
  std::string peer_pem;  // the served leaf certificate
  std::string error;
};

// One HTTPS GET /healthz on a fresh connection; `max_version` caps the client's TLS.
Result Get(uint16_t port, int max_version = TLS1_3_VERSION) {
  Result r;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_max_proto_version(ctx, max_version);
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  SSL_CTX_set_security_level(ctx, 0);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  SSL* ssl = nullptr;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    r.error = "connect failed";
  } else {
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1) {
      r.error = "handshake failed: " + std::to_string(ERR_get_error());
    } else {
      X509* peer = SSL_get1_peer_certificate(ssl);
      if (peer != nullptr) {
        r.peer_pem = PemOf(peer);
        X509_free(peer);
      }
      const std::string req = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
      SSL_write(ssl, req.data(), static_cast<int>(req.size()));
      std::string resp;
      char buf[4096];
      int n;
      while ((n = SSL_read(ssl, buf, sizeof buf)) > 0) resp.append(buf, static_cast<size_t>(n));
      r.ok = resp.rfind("HTTP/1.1 200", 0) == 0;
      if (!r.ok) r.error = "response: " + resp.substr(0, 80);
    }
  }
  ERR_clear_error();
  if (ssl != nullptr) {
    SSL_shutdown(ssl);
    SSL_free(ssl);
  }
  ::close(fd);
  SSL_CTX_free(ctx);
  return r;
}

class CertReloaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("limen-reload-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    ca_ = GenerateCa("ca", std::chrono::hours(24), std::chrono::system_clock::now()).value();
  }
  void TearDown() override { fs::remove_all(dir_); }

  KeyPair Issue() {
    return IssueServingCert(ca_, "limen-webhook", {"localhost"}, {"127.0.0.1"},
                            std::chrono::hours(1), std::chrono::system_clock::now())
        .value();
  }

  fs::path dir_;
  KeyPair ca_;
};

TEST_F(CertReloaderTest, RotationUnderLoadFailsNoRequestAndServesTheNewCertificate) {
  KeyPair first = Issue();
  WriteFile(dir_ / "tls.crt", first.cert_pem);
  WriteFile(dir_ / "tls.key", first.key_pem);
  CertReloader reloader({(dir_ / "tls.crt").string(), (dir_ / "tls.key").string(),
                         (dir_ / "serving.pem").string(), std::chrono::milliseconds(20)},
                        nullptr);
  ASSERT_TRUE(reloader.Reload().ok());
  ASSERT_TRUE(reloader.Loaded());

  serving::HttpServerOptions o;
  o.port = FreePort();
  o.tls = serving::TlsFiles{reloader.served_file(), reloader.served_file()};
  serving::HttpServer server(o);
  server.Route("GET", "/healthz",
               [](const serving::Request&) { return serving::Response::Text(200, "ok\n"); });
  ASSERT_TRUE(server.Start().ok());
  reloader.Start();

  Result r0 = Get(o.port);
  ASSERT_TRUE(r0.ok) << r0.error;
  EXPECT_EQ(r0.peer_pem, first.cert_pem);

  std::atomic<bool> stop{false};
  std::atomic<int> requests{0}, failures{0};
  std::string first_error;
  std::thread client([&] {
    while (!stop) {
      Result r = Get(o.port);
      ++requests;
      if (!r.ok) {
        if (failures++ == 0) first_error = r.error;
      }
    }
  });
  KeyPair last;
  constexpr int kRotations = 15;
  for (int i = 0; i < kRotations; ++i) {
    last = Issue();
    // Non-atomic on purpose, key first: a torn pair must never be served.
    WriteFile(dir_ / "tls.key", last.key_pem);
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    WriteFile(dir_ / "tls.crt", last.cert_pem);
    std::this_thread::sleep_for(std::chrono::milliseconds(80));
  }
  // Wait until the last certificate is served (at most a few poll intervals).
  bool served_new = false;
  for (int i = 0; i < 100 && !served_new; ++i) {
    served_new = Get(o.port).peer_pem == last.cert_pem;
    if (!served_new) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  stop = true;
  client.join();
  reloader.Stop();
  server.Stop();
  EXPECT_TRUE(served_new);
  EXPECT_EQ(failures.load(), 0) << "first failure: " << first_error;
  EXPECT_GT(requests.load(), 20);
  RecordProperty("requests", requests.load());
  std::printf("hot reload: %d requests over %d rotations, %d failed\n", requests.load(), kRotations,
              failures.load());
}

TEST_F(CertReloaderTest, RefusesTlsBelow12) {
  KeyPair kp = Issue();
  WriteFile(dir_ / "tls.crt", kp.cert_pem);
  WriteFile(dir_ / "tls.key", kp.key_pem);
  CertReloader reloader(
      {(dir_ / "tls.crt").string(), (dir_ / "tls.key").string(), (dir_ / "serving.pem").string()},
      nullptr);
  ASSERT_TRUE(reloader.Reload().ok());
  serving::HttpServerOptions o;
  o.port = FreePort();
  o.tls = serving::TlsFiles{reloader.served_file(), reloader.served_file()};
  serving::HttpServer server(o);
  server.Route("GET", "/healthz",
               [](const serving::Request&) { return serving::Response::Text(200, "ok\n"); });
  ASSERT_TRUE(server.Start().ok());
  EXPECT_FALSE(Get(o.port, TLS1_1_VERSION).ok);
  EXPECT_TRUE(Get(o.port, TLS1_2_VERSION).ok);
  server.Stop();
}

TEST_F(CertReloaderTest, InvalidPairIsNotPublished) {
  KeyPair a = Issue(), b = Issue();
  WriteFile(dir_ / "tls.crt", a.cert_pem);
  WriteFile(dir_ / "tls.key", a.key_pem);
  CertReloader reloader(
      {(dir_ / "tls.crt").string(), (dir_ / "tls.key").string(), (dir_ / "serving.pem").string()},
      nullptr);
  ASSERT_TRUE(reloader.Reload().ok());
  const auto before = reloader.Current()->not_after;
  WriteFile(dir_ / "tls.key", b.key_pem);  // mismatched
  EXPECT_FALSE(reloader.Reload().ok());
  std::ifstream in(dir_ / "serving.pem");
  std::string served((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(served.find(a.key_pem), std::string::npos);
  EXPECT_EQ(reloader.Current()->not_after, before);
  WriteFile(dir_ / "tls.crt", "garbage");
  EXPECT_FALSE(reloader.Reload().ok());
  fs::remove(dir_ / "tls.crt");
  EXPECT_FALSE(reloader.Reload().ok());
  EXPECT_TRUE(reloader.Loaded());
}

TEST_F(CertReloaderTest, MissingFilesAtStartAreAnError) {
  CertReloader reloader(
      {(dir_ / "none.crt").string(), (dir_ / "none.key").string(), (dir_ / "serving.pem").string()},
      nullptr);
  EXPECT_FALSE(reloader.Reload().ok());
  EXPECT_FALSE(reloader.Loaded());
}

}  // namespace
}  // namespace limen::webhook

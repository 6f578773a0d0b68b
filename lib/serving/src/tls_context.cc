#include "tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "sys_error.h"

namespace limen::serving {
namespace {

std::string OpenSslError() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += out.empty() ? "" : "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read " + path + ": " + SysError(errno));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
}

// The leaf certificate and any intermediates, in file order.
Status UseChain(SSL_CTX* ctx, const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  X509* leaf = PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr);
  if (leaf == nullptr) return Status::InvalidArgument("no certificate: " + OpenSslError());
  const int ok = SSL_CTX_use_certificate(ctx, leaf);
  X509_free(leaf);
  if (ok != 1) return Status::InvalidArgument("certificate rejected: " + OpenSslError());
  while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(ctx, extra) != 1) {
      X509_free(extra);
      return Status::InvalidArgument("chain certificate rejected: " + OpenSslError());
    }
  }
  ERR_clear_error();  // the loop ends on "no start line"
  return Status::Ok();
}

Status UseKey(SSL_CTX* ctx, const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) return Status::InvalidArgument("no private key: " + OpenSslError());
  const int ok = SSL_CTX_use_PrivateKey(ctx, key);
  EVP_PKEY_free(key);
  if (ok != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return Status::InvalidArgument("private key does not match the certificate: " + OpenSslError());
  }
  return Status::Ok();
}

}  // namespace

StatusOr<SslCtxPtr> LoadServerContext(const TlsFiles& files) {
  const std::string what = "TLS certificate " + files.cert_file + " / key " + files.key_file;
  auto cert = ReadWholeFile(files.cert_file);
  if (!cert.ok()) return Status::InvalidArgument(what + ": " + cert.status().message());
  StatusOr<std::string> key = cert;
  if (files.key_file != files.cert_file) key = ReadWholeFile(files.key_file);
  if (!key.ok()) return Status::InvalidArgument(what + ": " + key.status().message());

  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  if (!ctx) return Status::Internal(what + ": " + OpenSslError());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_RELEASE_BUFFERS);  // idle keep-alive costs no buffers
  if (Status s = UseChain(ctx.get(), *cert); !s.ok()) {
    return Status::InvalidArgument(what + ": " + s.message());
  }
  if (Status s = UseKey(ctx.get(), *key); !s.ok()) {
    return Status::InvalidArgument(what + ": " + s.message());
  }
  return ctx;
}

StatusOr<std::unique_ptr<TlsContext>> TlsContext::Load(TlsFiles files) {
  const auto stamps = StampsOf(files);
  auto ctx = LoadServerContext(files);
  if (!ctx.ok()) return ctx.status();
  return std::unique_ptr<TlsContext>(new TlsContext(std::move(files), *ctx, stamps));
}

TlsContext::TlsContext(TlsFiles files, SslCtxPtr ctx, std::pair<Stamp, Stamp> stamps)
    : files_(std::move(files)), ctx_(std::move(ctx)), stamps_(stamps) {}

std::pair<TlsContext::Stamp, TlsContext::Stamp> TlsContext::StampsOf(const TlsFiles& files) {
  auto stamp = [](const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Stamp{};
    return Stamp{st.st_dev, st.st_ino, st.st_size,
                 static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
  };
  return {stamp(files.cert_file), stamp(files.key_file)};
}

SslCtxPtr TlsContext::Current() {
  const auto now = StampsOf(files_);
  std::lock_guard lock(mu_);
  if (now == stamps_) return ctx_;
  stamps_ = now;  // one attempt (and one log line) per change
  auto fresh = LoadServerContext(files_);
  if (!fresh.ok()) {
    spdlog::error("reloading the serving certificate failed, keeping the previous one: {}",
                  fresh.status().message());
    return ctx_;
  }
  spdlog::info("serving certificate reloaded from {}", files_.cert_file);
  ctx_ = *fresh;
  return ctx_;
}

}  // namespace limen::serving

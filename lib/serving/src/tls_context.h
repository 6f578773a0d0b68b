// TlsContext: the server's OpenSSL context (TLS ≥ 1.2), built from a certificate chain and a
// key on disk and rebuilt when either file changes, so that a rotated certificate is served
// from the next connection on without a restart and without dropping a request (connections
// already open keep the context they started with; SSL_CTX is reference-counted).
//
// Each file is read once per load, into memory: opening a file twice while it is being
// replaced could pair the old chain with the new key. A rotator publishes one combined PEM
// (cert_file == key_file) atomically, and one read then always yields a consistent pair.
//
// Thread-safety: Current() may be called from any number of threads.
#pragma once

#include <openssl/ssl.h>

#include <sys/stat.h>
#include <memory>
#include <mutex>
#include <string>

#include "limen/base/status.h"
#include "limen/serving/http_server.h"

namespace limen::serving {

using SslCtxPtr = std::shared_ptr<SSL_CTX>;

// Builds a server context from the files' contents. The error names the file and the cause.
StatusOr<SslCtxPtr> LoadServerContext(const TlsFiles& files);

class TlsContext {
 public:
  static StatusOr<std::unique_ptr<TlsContext>> Load(TlsFiles files);

  // The context for a new connection: reloaded first if a file changed since the last load
  // (a failed reload keeps the previous context and is logged once per change).
  SslCtxPtr Current();

 private:
  struct Stamp {
    bool operator==(const Stamp&) const = default;
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = 0;
    long long mtime_ns = 0;
  };
  TlsContext(TlsFiles files, SslCtxPtr ctx, std::pair<Stamp, Stamp> stamps);
  static std::pair<Stamp, Stamp> StampsOf(const TlsFiles& files);

  const TlsFiles files_;
  std::mutex mu_;
  SslCtxPtr ctx_;                   // guarded by mu_
  std::pair<Stamp, Stamp> stamps_;  // guarded by mu_: of the files ctx_ was built from
};

}  // namespace limen::serving

// CertReloader: hot reload of the serving certificate without dropping requests.
//
// It watches the certificate and key files (a mounted Secret, which kubelet swaps
// atomically, or files a rotator rewrites one after the other) and publishes them to
// HttpServer as ONE combined PEM file (chain, then key) replaced by rename(2). lib/serving's
// HttpServer re-reads its certificate files for every new TLS connection (cpprestsdk calls
// the ssl context callback per connection), so the next connection gets the new
// certificate while established keep-alive connections carry on. Why one file: with two,
// a connection accepted between the writes of a new cert and a new key would load a
// mismatched pair and fail its handshake; a single file swapped atomically never shows a
// torn pair. A pair that does not parse or does not match is not published: the previous one
// stays served, and the attempt is logged and counted.
//
// Thread-safety: Reload() and the accessors are safe from any thread; Start/Stop from one.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "limen/base/status.h"
#include "limen/webhook/certs.h"
#include "limen/webhook/metrics.h"

namespace limen::webhook {

// Writes `data` to a temporary file beside `path` (mode 0600: it may hold a private key) and
// renames it over `path`, so readers see the old file or the new one, never a partial one.
Status WriteFileAtomically(const std::string& path, const std::string& data);

class CertReloader {
 public:
  struct Options {
    std::string cert_file;    // PEM chain (tls.crt)
    std::string key_file;     // PEM key (tls.key)
    std::string served_file;  // where the combined PEM is published; give it to HttpServer
    std::chrono::milliseconds interval{1000};
  };

  // `metrics` may be null.
  CertReloader(Options options, AdmissionMetrics* metrics);
  ~CertReloader();
  CertReloader(const CertReloader&) = delete;
  CertReloader& operator=(const CertReloader&) = delete;

  // Reads the files now and publishes them if they changed and are a valid pair. An error
  // when they are unreadable or invalid (the previously published pair stays).
  Status Reload();

  void Start();  // polls every interval
  void Stop();   // idempotent

  bool Loaded() const { return loaded_.load(); }
  std::optional<CertInfo> Current() const;
  const std::string& served_file() const { return options_.served_file; }

 private:
  void Loop();

  const Options options_;  // constant after construction
  AdmissionMetrics* const metrics_;

  mutable std::mutex mu_;
  std::string published_;            // guarded by mu_: the combined PEM last published
  std::optional<CertInfo> current_;  // guarded by mu_
  bool stop_ = false;                // guarded by mu_
  std::condition_variable cv_;
  std::atomic<bool> loaded_{false};
  std::thread thread_;
};

}  // namespace limen::webhook

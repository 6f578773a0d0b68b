// HttpClient: the Client interface (client.h) over HTTPS to a real apiserver, on
// cpprestsdk. This header does not include cpprestsdk (pimpl).
//
// What it adds to each call of Client:
//   - authentication from Config: client certificate, CA, bearer token (re-read from its
//     file when it rotates); insecure-skip-tls-verify only when the Config says so;
//   - a client-side token-bucket rate limit (QPS 20 / burst 30 by default, client-go's;
//     rate_limit.qps <= 0 turns it off);
//   - retries per RetryPolicy (retry.h): 429 and 5xx honouring Retry-After, jittered
//     exponential back-off, bounded attempts; Watch opens are never retried (the Watcher
//     owns that loop);
//   - per-attempt deadlines (RequestOptions::timeout etc., default_timeout otherwise);
//   - errors as ApiError decoded from the apiserver's Status; no cpprestsdk, pplx or boost
//     exception escapes any public method (they become ApiError::Transport with reason
//     ConnectionError, Timeout, Cancelled or DecodeError).
// List items get apiVersion/kind filled in from the list (as client-go's unstructured
// decoding does), so listed and watched objects look alike.
// Watch streams read the chunked body incrementally (never the whole body) and decode it
// with WatchDecoder; WatchStream::Cancel() closes the connection and unblocks Next().
//
// One HttpClient holds one cpprest http_client for requests (its connections are pooled and
// reused) and one for watches (which hold their connection for minutes).
//
// Blocking: every call blocks its thread until done. Never call from a thread of
// cpprestsdk's pool (e.g. inside an http_listener handler): with a small pool, threads that
// wait for responses the pool must process can deadlock.
//
// Thread-safety: all methods are safe for concurrent use. A WatchStream is read by one
// thread; Cancel() may come from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>

#include "limen/base/status.h"
#include "limen/kube/client.h"
#include "limen/kube/client_rate_limiter.h"
#include "limen/kube/clock.h"
#include "limen/kube/config.h"
#include "limen/kube/list_all.h"
#include "limen/kube/retry.h"

namespace limen::kube {

// Sizes cpprestsdk's shared thread pool (its default is 40 threads). Binaries call it at
// start, before any request; HttpClient::Create calls it with the default if nobody did.
// Later calls, or a pool that already exists, leave the size unchanged (logged).
void InitializeHttpThreadPool(size_t threads = 4);

// cpprestsdk loads the system's CA bundle into every TLS connection it opens, before the
// configuration callback can replace it: ≈ 140 certificates parsed per connection (a few ms
// of CPU, ≈ 2 MB of heap churn that stays resident as fragmentation), only to be thrown away
// when the configuration names its CA — as every in-cluster config and nearly every
// kubeconfig does. TakeOverSystemTrustStore() points OpenSSL's default CA file at an empty
// one and remembers the real default (SSL_CERT_FILE if set, else OpenSSL's compiled-in
// file); HttpClient then loads that file itself, and only for a configuration without a CA.
// Trust is unchanged: a named CA is trusted alone, no CA means the system's roots.
// REQUIRES: called before any other thread exists (it sets SSL_CERT_FILE). Idempotent.
void TakeOverSystemTrustStore();

struct HttpClientOptions {
  ClientRateLimiter::Options rate_limit;  // qps <= 0 disables the limit
  RetryPolicy retry;
  // Deadline of each attempt when the call gives none (a retried call may take longer).
  std::chrono::milliseconds default_timeout{60'000};
  std::chrono::milliseconds watch_open_timeout{30'000};  // until the watch's headers arrive
  std::string user_agent = "limen/0.1";
  Clock* clock = nullptr;  // rate limit and retry sleeps; nullptr = RealClock
};

class HttpClient final : public Client {
 public:
  // Fails (InvalidArgument naming the field) if the Config's PEM data does not load.
  static StatusOr<std::unique_ptr<HttpClient>> Create(Config config,
                                                      HttpClientOptions options = {});
  ~HttpClient() override;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  ApiResult<Object> Get(const Resource& r, const std::string& ns, const std::string& name,
                        const RequestOptions& opts = {}) override;
  ApiResult<ObjectList> List(const Resource& r, const std::string& ns,
                             const ListOptions& opts = {}) override;
  ApiResult<Object> Create(const Resource& r, const std::string& ns, const Object& obj,
                           const RequestOptions& opts = {}) override;
  ApiResult<Object> Update(const Resource& r, const std::string& ns, const Object& obj,
                           const RequestOptions& opts = {}) override;
  ApiResult<Object> Patch(const Resource& r, const std::string& ns, const std::string& name,
                          PatchType type, const Object& patch,
                          const PatchOptions& opts = {}) override;
  ApiResult<Object> Delete(const Resource& r, const std::string& ns, const std::string& name,
                           const DeleteOptions& opts = {}) override;
  // timeout_seconds 0 → a random server-side timeout in [300, 600] s.
  ApiResult<std::unique_ptr<WatchStream>> Watch(const Resource& r, const std::string& ns,
                                                const WatchOptions& opts) override;

  // GET of any API path ("/version", "/apis/apps/v1"): the decoded JSON body. Retried as a
  // read. For Discovery and diagnostics.
  ApiResult<Object> GetPath(const std::string& path_and_query,
                            std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  const Config& config() const;

 private:
  struct Impl;
  explicit HttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace limen::kube

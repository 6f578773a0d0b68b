// HttpClient on cpprestsdk. The only translation unit of limen::kube_client that includes
// cpprestsdk: every pplx task is awaited here, and every exception it can carry is turned
// into an ApiError before returning.
#include "limen/kube/http_client.h"

#include <atomic>
#include <charconv>
#include <cstdlib>
#include <deque>
#include <future>
#include <mutex>
#include <random>
#include <utility>

#include <cpprest/http_client.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <pplx/threadpool.h>
#include <spdlog/spdlog.h>
#include <boost/asio/ssl.hpp>

#include "limen/kube/request.h"
#include "limen/kube/watch_decoder.h"
#include "list_reader.h"
#include "proto_list_reader.h"

namespace limen::kube {
namespace http = web::http;
namespace {

using Millis = std::chrono::milliseconds;

struct RawResponse {
  int status = 0;
  std::string body;  // an error's body as JSON, also when the server answered in protobuf
  std::optional<std::chrono::seconds> retry_after;
  std::optional<Object> list;  // a List's 2xx body, decoded while it arrived
  Status proto_failure;        // a protobuf List that could not be decoded
  bool protobuf = false;       // the server answered in protobuf
};

constexpr std::string_view kProtobuf = "application/vnd.kubernetes.protobuf";
// A List that accepts protobuf: the apiserver answers in JSON what it cannot encode in it.
constexpr std::string_view kAcceptProtobuf =
    "application/vnd.kubernetes.protobuf, application/json";

std::optional<std::chrono::seconds> ParseRetryAfter(const http::http_headers& headers) {
  const auto it = headers.find("Retry-After");  // header names compare case-insensitively
  if (it == headers.end()) return std::nullopt;
  const std::string& v = it->second;
  int64_t seconds = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
  // The HTTP-date form is not used by the apiserver; ignore it like client-go does.
  if (ec != std::errc() || end != v.data() + v.size() || seconds < 0) return std::nullopt;
  return std::chrono::seconds(seconds);
}

ApiError FromException(const std::exception_ptr& ep, bool timed_out, const std::string& what) {
  auto fail = [&](const std::string& detail) {
    return timed_out ? ApiError::Transport("Timeout", what + ": deadline exceeded")
                     : ApiError::Transport("ConnectionError", what + ": " + detail);
  };
  try {
    std::rethrow_exception(ep);
  } catch (const pplx::task_canceled&) {
    return timed_out ? fail("") : ApiError::Transport("Cancelled", what + ": cancelled");
  } catch (const http::http_exception& e) {
    if (e.error_code() == std::errc::timed_out) {
      return ApiError::Transport("Timeout", what + ": " + e.what());
    }
    // cpprest failed before the server could have acted: no connection, or the request
    // (often on a pooled connection the server had closed) was not written completely.
    const std::string_view m = e.what();
    if (!timed_out &&
        (m.starts_with("Failed to connect") || m.starts_with("Failed to write request"))) {
      return ApiError::Transport(std::string(kReasonRequestNotSent), what + ": " + e.what());
    }
    return fail(e.what());
  } catch (const std::exception& e) {
    return fail(e.what());
  } catch (...) {
    return fail("unknown exception");
  }
}

// Waits for `task` up to `timeout`; on expiry cancels it through `cts`. Never throws.
template <typename T>
ApiResult<T> Await(pplx::task<T> task, const pplx::cancellation_token_source& cts,
                   std::optional<Millis> timeout, const std::string& what) {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  // A task-based continuation observes the task's exception, so pplx never reports it as
  // unobserved (which raises SIGTRAP on Linux).
  task.then([promise](pplx::task<T> t) {
    try {
      promise->set_value(t.get());
    } catch (...) {
      promise->set_exception(std::current_exception());
    }
  });
  bool timed_out = false;
  if (timeout && future.wait_for(*timeout) == std::future_status::timeout) {
    timed_out = true;
    cts.cancel();
    // Cancellation closes the connection; give it a moment to unwind.
    if (future.wait_for(std::chrono::seconds(5)) == std::future_status::timeout) {
      return ApiError::Transport("Timeout", what + ": deadline exceeded");
    }
  }
  try {
    return future.get();
  } catch (...) {
    return FromException(std::current_exception(), timed_out, what);
  }
}

// The system's CA file when TakeOverSystemTrustStore() has emptied OpenSSL's default; ""
// when it has not run. Written once before any thread exists, read-only afterwards.
std::string& TakenOverCaFile() {
  static std::string file;
  return file;
}

void ConfigureTls(boost::asio::ssl::context& ctx, const Config& c) {
  // A watch's connection is idle between events most of its life: OpenSSL frees its ≈ 34 KB
  // of record buffers while nothing is in flight instead of holding them per connection.
  SSL_CTX_set_mode(ctx.native_handle(), SSL_MODE_RELEASE_BUFFERS);
  if (c.ca_pem.empty() && !TakenOverCaFile().empty()) {
    // The system's roots, which cpprest's default load no longer provides.
    SSL_CTX_load_verify_locations(ctx.native_handle(), TakenOverCaFile().c_str(), nullptr);
  }
  if (!c.ca_pem.empty()) {
    // cpprest has already loaded the system's whole CA bundle into this connection's context
    // (≈ 2 MB of parsed certificates, held as long as the connection — a watch's lifetime).
    // A configuration that names its CA trusts only that CA, as client-go's does, so the
    // bundle's store is replaced (and freed) by one holding just that CA.
    SSL_CTX_set_cert_store(ctx.native_handle(), X509_STORE_new());
    ctx.add_certificate_authority(boost::asio::buffer(c.ca_pem));
  }
  if (!c.client_cert_pem.empty()) {
    ctx.use_certificate_chain(boost::asio::buffer(c.client_cert_pem));
    ctx.use_private_key(boost::asio::buffer(c.client_key_pem), boost::asio::ssl::context::pem);
  }
}

// Loads the PEM data once up front so a bad certificate is a clear error at start-up
// rather than a failure inside every connection attempt.
Status ValidateTls(const Config& c) {
  boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_client);
  boost::system::error_code ec;
  if (!c.ca_pem.empty() && ctx.add_certificate_authority(boost::asio::buffer(c.ca_pem), ec)) {
    return Status::InvalidArgument(c.source + ": certificate-authority: " + ec.message());
  }
  if (!c.client_cert_pem.empty()) {
    if (ctx.use_certificate_chain(boost::asio::buffer(c.client_cert_pem), ec)) {
      return Status::InvalidArgument(c.source + ": client-certificate: " + ec.message());
    }
    if (ctx.use_private_key(boost::asio::buffer(c.client_key_pem), boost::asio::ssl::context::pem,
                            ec)) {
      return Status::InvalidArgument(c.source + ": client-key: " + ec.message());
    }
  }
  return Status::Ok();
}

http::client::http_client_config MakeHttpConfig(const std::shared_ptr<const Config>& config,
                                                std::chrono::seconds idle_timeout) {
  http::client::http_client_config cfg;
  // cpprest's timeout is an inactivity timer on the socket; request deadlines are ours.
  cfg.set_timeout(idle_timeout);
  cfg.set_validate_certificates(!config->insecure_skip_tls_verify);
  cfg.set_ssl_context_callback([config](boost::asio::ssl::context& ctx) {
    try {
      ConfigureTls(ctx, *config);
    } catch (const std::exception& e) {  // validated in Create; must not unwind into asio
      spdlog::error("kube client: TLS set-up failed: {}", e.what());
    }
  });
  return cfg;
}

int64_t RandomWatchTimeoutSeconds() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_int_distribution<int64_t>(300, 600)(rng);
}

http::method MethodOf(Verb verb) {
  switch (verb) {
    case Verb::kGet:
    case Verb::kList: return http::methods::GET;
    case Verb::kCreate: return http::methods::POST;
    case Verb::kUpdate: return http::methods::PUT;
    case Verb::kPatch: return http::methods::PATCH;
    case Verb::kDelete: return http::methods::DEL;
  }
  return http::methods::GET;
}

ApiError ClientSideError(const std::string& message) {
  return ApiError{400, "BadRequest", message, nullptr, std::nullopt};
}

// The request of one call, before it is sent (and possibly re-sent).
struct Call {
  Verb verb;
  std::string path;  // path and query
  std::optional<std::string> body;
  std::string content_type = "application/json";
  std::optional<Millis> timeout;
  const FieldFilter* filter = nullptr;  // applied to the response's "items"
  // A List that accepts protobuf, decoded with this item schema (proto_schema.h).
  const internal::proto::Message* proto_items = nullptr;
};

}  // namespace

// --- process set-up -------------------------------------------------------------------

void TakeOverSystemTrustStore() {
  if (!TakenOverCaFile().empty()) return;
  const char* env = std::getenv(X509_get_default_cert_file_env());  // NOLINT(concurrency-mt-unsafe)
  TakenOverCaFile() = env != nullptr && *env != '\0' ? env : X509_get_default_cert_file();
  // NOLINTNEXTLINE(concurrency-mt-unsafe): REQUIRES no other thread (see the header)
  ::setenv(X509_get_default_cert_file_env(), "/dev/null", 1);
}

// --- thread pool ----------------------------------------------------------------------

void InitializeHttpThreadPool(size_t threads) {
  static std::once_flag once;
  bool first = false;
  std::call_once(once, [&] {
    first = true;
    try {
      crossplat::threadpool::initialize_with_threads(threads);
      spdlog::debug("kube client: cpprestsdk thread pool sized to {}", threads);
    } catch (const std::exception& e) {
      spdlog::warn("kube client: cpprestsdk thread pool already exists; size unchanged: {}",
                   e.what());
    }
  });
  if (!first) spdlog::debug("kube client: cpprestsdk thread pool already sized");
}

// --- watch stream ---------------------------------------------------------------------

namespace {

class HttpWatchStream final : public WatchStream {
 public:
  HttpWatchStream(std::unique_ptr<http::client::http_client> client, http::http_response response,
                  pplx::cancellation_token_source cts, std::string what,
                  std::shared_ptr<const FieldFilter> filter)
      : client_(std::move(client)),
        response_(std::move(response)),
        cts_(std::move(cts)),
        what_(std::move(what)),
        decoder_(WatchDecoder::kDefaultMaxLineBytes, std::move(filter)) {}

  ~HttpWatchStream() override { Cancel(); }

  ApiResult<std::optional<WatchEvent>> Next() override {
    std::lock_guard lock(read_mu_);
    while (pending_.empty()) {
      if (cancelled_.load() || ended_) return std::optional<WatchEvent>();
      auto chunk = ReadSome();
      if (cancelled_.load()) return std::optional<WatchEvent>();
      if (!chunk.ok()) {
        ended_ = true;
        return chunk.error();
      }
      if (chunk->empty()) {  // end of body: the server's timeout, or it closed cleanly
        ended_ = true;
        if (auto last = decoder_.Finish()) pending_.push_back(std::move(*last));
        continue;
      }
      for (auto& e : decoder_.Feed(*chunk)) pending_.push_back(std::move(e));
    }
    if (cancelled_.load()) return std::optional<WatchEvent>();
    WatchEvent e = std::move(pending_.front());
    pending_.pop_front();
    return std::optional<WatchEvent>(std::move(e));
  }

  void Cancel() override {
    if (cancelled_.exchange(true)) return;
    // Closes the connection (cpprest does not return it to the pool), which completes a
    // read blocked in Next().
    cts_.cancel();
  }

 private:
  // Blocks until at least one byte is available, then takes everything that is: the
  // watch must see each event as soon as its line is complete. "" = end of body.
  ApiResult<std::string> ReadSome() {
    constexpr size_t kMax = size_t{256} * 1024;
    try {
      auto buf = response_.body().streambuf();
      std::string out;
      size_t avail = buf.in_avail();
      if (avail == 0) {
        uint8_t first = 0;
        if (buf.getn(&first, 1).get() == 0) return std::string();
        out.push_back(static_cast<char>(first));
        avail = buf.in_avail();
      }
      uint8_t tmp[16 * 1024];
      while (avail > 0 && out.size() < kMax) {
        const size_t n = buf.getn(tmp, std::min(avail, sizeof tmp)).get();
        if (n == 0) break;
        out.append(reinterpret_cast<const char*>(tmp), n);
        avail = buf.in_avail();
      }
      return out;
    } catch (...) {
      ApiError e = FromException(std::current_exception(), false, what_);
      if (e.reason == "ConnectionError") e.message = what_ + ": stream broke: " + e.message;
      return e;
    }
  }

  // Constant after construction. client_ outlives response_ (declared first).
  std::unique_ptr<http::client::http_client> client_;
  http::http_response response_;
  pplx::cancellation_token_source cts_;
  const std::string what_;

  std::atomic<bool> cancelled_{false};
  std::mutex read_mu_;              // serialises Next()
  WatchDecoder decoder_;            // guarded by read_mu_
  std::deque<WatchEvent> pending_;  // guarded by read_mu_
  bool ended_ = false;              // guarded by read_mu_
};

}  // namespace

// --- HttpClient -----------------------------------------------------------------------

struct HttpClient::Impl {
  Impl(Config c, HttpClientOptions o)
      : config(std::make_shared<const Config>(std::move(c))),
        options(std::move(o)),
        clock(options.clock != nullptr ? *options.clock : RealClock::Instance()),
        limiter(options.rate_limit, clock) {}

  http::http_request MakeRequest(const http::method& method, const std::string& path,
                                 std::string_view accept = "application/json") const;
  ApiResult<RawResponse> Once(const Call& call);
  // `decoded_protobuf`, if given, says whether a List's items came from protobuf.
  ApiResult<Object> Do(const Call& call, bool* decoded_protobuf = nullptr);

  std::shared_ptr<const Config> config;  // constant after construction
  HttpClientOptions options;             // constant after construction
  Clock& clock;
  ClientRateLimiter limiter;                        // thread-safe
  std::unique_ptr<http::client::http_client> http;  // thread-safe; pools connections
};

http::http_request HttpClient::Impl::MakeRequest(const http::method& method,
                                                 const std::string& path,
                                                 std::string_view accept) const {
  http::http_request req(method);
  req.set_request_uri(path);
  req.headers().add("Accept", std::string(accept));
  req.headers().add("User-Agent", options.user_agent);
  if (config->token) {
    if (const std::string t = config->token->Token(); !t.empty()) {
      req.headers().add("Authorization", "Bearer " + t);
    }
  }
  return req;
}

namespace {

// The body of `resp`, read in this thread as it arrives, into one string. (extract_utf8string
// hands the body through pplx continuations, each of which copies it: for a 90 MB list that
// was three copies, and their page faults, on the threads that receive the next bytes.)
// With a `reader`, each piece goes to it as it arrives instead, and the result is empty.
using BodyReader = std::function<void(std::string_view)>;
ApiResult<std::string> ReadBody(http::http_response& resp,
                                const pplx::cancellation_token_source& cts,
                                std::chrono::steady_clock::time_point deadline,
                                const std::string& what, const BodyReader& reader) {
  constexpr size_t kChunk = size_t{256} * 1024;  // waited for when nothing is buffered
  // Shared with each read: one abandoned at the deadline may still write into it.
  auto body = std::make_shared<std::string>();
  if (auto length = resp.headers().content_length();
      !reader && length > 0 && length < (size_t{1} << 32)) {
    body->reserve(length);
  }
  auto buf = resp.body().streambuf();
  for (;;) {
    const size_t avail = buf.in_avail();
    const size_t want = avail > 0 ? avail : kChunk;
    const size_t old = body->size();
    body->resize(old + want);  // grows geometrically
    auto read =
        buf.getn(reinterpret_cast<uint8_t*>(body->data() + old), want).then([body](size_t n) {
          return n;
        });
    const auto left =
        std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    auto n = Await(std::move(read), cts, std::max(left, Millis(1)), what);
    if (!n.ok()) return n.error();
    body->resize(old + *n);
    if (*n == 0) return std::move(*body);
    if (reader) {
      reader(*body);
      body->clear();
    }
  }
}

}  // namespace

ApiResult<RawResponse> HttpClient::Impl::Once(const Call& call) {
  const http::method method = MethodOf(call.verb);
  const std::string what = method + " " + call.path;
  const Millis timeout = call.timeout.value_or(options.default_timeout);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pplx::cancellation_token_source cts;
  pplx::task<http::http_response> task;
  try {
    http::http_request req = MakeRequest(
        method, call.path, call.proto_items != nullptr ? kAcceptProtobuf : "application/json");
    if (call.body) req.set_body(*call.body, call.content_type);
    task = http->request(req, cts.get_token());
  } catch (...) {  // a malformed URI, or cpprest refusing the request synchronously
    return FromException(std::current_exception(), false, what);
  }
  auto resp = Await(std::move(task), cts, timeout, what);
  if (!resp.ok()) return resp.error();
  const int status = resp->status_code();
  const bool protobuf = call.proto_items != nullptr &&
                        std::string_view(resp->headers().content_type()).starts_with(kProtobuf);
  // A 2xx List is decoded item by item as it arrives (list_reader.h, proto_list_reader.h),
  // overlapping the transfer; anything else is parsed once complete.
  const bool list = call.verb == Verb::kList && status >= 200 && status < 300;
  std::optional<internal::ListReader> json_list;
  std::optional<internal::ProtoListReader> proto_list;
  BodyReader reader;
  if (list && protobuf) {
    proto_list.emplace(*call.proto_items, call.filter);
    reader = [&](std::string_view b) { proto_list->Append(b); };
  } else if (list) {
    json_list.emplace(call.filter);
    reader = [&](std::string_view b) { json_list->Append(b); };
  }
  auto body = ReadBody(*resp, cts, deadline, what, reader);
  if (!body.ok()) return body.error();
  RawResponse raw{status, std::move(*body), ParseRetryAfter(resp->headers()), std::nullopt, {}};
  if (json_list && json_list->bytes_read() > 0) raw.list = json_list->Finish();
  if (proto_list) {
    auto decoded = proto_list->Finish();
    if (decoded.ok()) {
      raw.list = std::move(*decoded);
    } else {
      raw.proto_failure = decoded.status();
    }
  }
  if (!list && protobuf) {  // an error Status, as ApiError::FromResponse reads it
    auto decoded = internal::proto::DecodeStatus(raw.body);
    raw.body = decoded.ok() ? decoded->dump() : "";
  }
  raw.protobuf = protobuf;
  return raw;
}

ApiResult<Object> HttpClient::Impl::Do(const Call& original, bool* decoded_protobuf) {
  Call call = original;
  ExponentialBackoff backoff(options.retry.backoff);
  for (int attempt = 1;; ++attempt) {
    limiter.Wait();
    auto raw = Once(call);
    if (raw.ok() && !raw->proto_failure.ok()) {
      // Not a failure of the server's: the list holds what this schema cannot decode. The
      // same list in JSON can always be read.
      spdlog::warn("kube client: {}: protobuf list not decodable ({}); asking for JSON", call.path,
                   raw->proto_failure.ToString());
      call.proto_items = nullptr;
      continue;
    }
    ApiError error;
    if (raw.ok() && raw->status >= 200 && raw->status < 300) {
      if (decoded_protobuf != nullptr) *decoded_protobuf = raw->list && raw->protobuf;
      if (!raw->list && raw->body.empty()) return Object::object();
      auto obj =
          raw->list ? std::move(*raw->list) : ParseFiltered(raw->body, call.filter, {"items"});
      if (obj.is_discarded()) {
        return ApiError::Transport(
            "DecodeError", MethodOf(call.verb) + " " + call.path + ": the response is not JSON");
      }
      return obj;
    }
    error =
        raw.ok() ? ApiError::FromResponse(raw->status, raw->body, raw->retry_after) : raw.error();
    const auto delay = RetryDelay(error, call.verb, attempt, options.retry, backoff);
    if (!delay) return error;
    spdlog::info("kube client: {} {}: {}; retrying in {} ms (attempt {}/{})", MethodOf(call.verb),
                 call.path, error.ToString(), std::chrono::duration_cast<Millis>(*delay).count(),
                 attempt + 1, options.retry.max_attempts);
    clock.Sleep(*delay);
  }
}

HttpClient::HttpClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpClient::~HttpClient() = default;

const Config& HttpClient::config() const { return *impl_->config; }

StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create(Config config, HttpClientOptions options) {
  InitializeHttpThreadPool();
  if (config.server.empty()) return Status::InvalidArgument(config.source + ": no server");
  LIMEN_RETURN_IF_ERROR(ValidateTls(config));
  auto impl = std::make_unique<Impl>(std::move(config), std::move(options));
  try {
    impl->http = std::make_unique<http::client::http_client>(
        impl->config->server, MakeHttpConfig(impl->config, std::chrono::minutes(5)));
  } catch (const std::exception& e) {
    return Status::InvalidArgument(impl->config->source + ": server \"" + impl->config->server +
                                   "\": " + e.what());
  }
  return std::unique_ptr<HttpClient>(new HttpClient(std::move(impl)));
}

ApiResult<Object> HttpClient::GetPath(const std::string& path_and_query,
                                      std::optional<std::chrono::milliseconds> timeout) {
  return impl_->Do(Call{Verb::kGet, path_and_query, std::nullopt, "", timeout});
}

ApiResult<Object> HttpClient::Get(const Resource& r, const std::string& ns, const std::string& name,
                                  const RequestOptions& opts) {
  if (name.empty()) return ClientSideError("Get " + r.resource + ": empty name");
  return impl_->Do(Call{Verb::kGet, ResourcePath(r, ns, name, opts.subresource), std::nullopt, "",
                        opts.timeout});
}

ApiResult<ObjectList> HttpClient::List(const Resource& r, const std::string& ns,
                                       const ListOptions& opts) {
  const std::string path = ResourcePath(r, ns) + ListQuery(opts).Encode();
  // Protobuf only where every field the filter keeps decodes from it (proto_schema.h).
  const auto* schema = opts.protobuf ? internal::proto::ItemSchema(r) : nullptr;
  if (schema != nullptr && !internal::proto::Decodable(*schema, opts.field_filter.get())) {
    schema = nullptr;
  }
  bool decoded_protobuf = false;
  auto body = impl_->Do(
      Call{Verb::kList, path, std::nullopt, "", opts.timeout, opts.field_filter.get(), schema},
      &decoded_protobuf);
  if (!body.ok()) return body.error();
  if (!body->is_object()) return ApiError::Transport("DecodeError", path + ": not a list");
  ObjectList out;
  out.protobuf = decoded_protobuf;
  const Object& md = body->value("metadata", Object::object());
  out.resource_version = md.value("resourceVersion", "");
  out.continue_token = md.value("continue", "");
  // Items of a list carry no apiVersion/kind; give them the list's (kind minus "List").
  std::string kind = body->value("kind", "");
  if (kind.size() > 4 && kind.ends_with("List")) kind.resize(kind.size() - 4);
  const std::string api_version = body->value("apiVersion", r.ApiVersion());
  if (auto items = body->find("items"); items != body->end() && items->is_array()) {
    out.items.reserve(items->size());
    for (auto& item : *items) {
      if (!item.is_object()) continue;
      if (!item.contains("kind")) item["kind"] = kind.empty() ? r.kind : kind;
      if (!item.contains("apiVersion")) item["apiVersion"] = api_version;
      out.items.push_back(std::move(item));
    }
  }
  return out;
}

ApiResult<Object> HttpClient::Create(const Resource& r, const std::string& ns, const Object& obj,
                                     const RequestOptions& opts) {
  const std::string target_ns = ns.empty() ? ObjectNamespace(obj) : ns;
  std::string path;
  if (opts.subresource.empty()) {
    path = ResourcePath(r, target_ns);
  } else {  // e.g. pods/<name>/binding, serviceaccounts/<name>/token
    const std::string name = ObjectName(obj);
    if (name.empty()) return ClientSideError("Create " + r.resource + ": subresource needs a name");
    path = ResourcePath(r, target_ns, name, opts.subresource);
  }
  return impl_->Do(Call{Verb::kCreate, path + WriteQuery(opts).Encode(), obj.dump(),
                        "application/json", opts.timeout});
}

ApiResult<Object> HttpClient::Update(const Resource& r, const std::string& ns, const Object& obj,
                                     const RequestOptions& opts) {
  const std::string name = ObjectName(obj);
  if (name.empty()) return ClientSideError("Update " + r.resource + ": no metadata.name");
  const std::string target_ns = ns.empty() ? ObjectNamespace(obj) : ns;
  const std::string path = ResourcePath(r, target_ns, name, opts.subresource);
  return impl_->Do(Call{Verb::kUpdate, path + WriteQuery(opts).Encode(), obj.dump(),
                        "application/json", opts.timeout});
}

ApiResult<Object> HttpClient::Patch(const Resource& r, const std::string& ns,
                                    const std::string& name, PatchType type, const Object& patch,
                                    const PatchOptions& opts) {
  if (name.empty()) return ClientSideError("Patch " + r.resource + ": empty name");
  if (type == PatchType::kApply && opts.field_manager.empty()) {
    return ClientSideError("Patch " + r.resource + "/" + name +
                           ": server-side apply needs a fieldManager");
  }
  const std::string path =
      ResourcePath(r, ns, name, opts.subresource) + PatchQuery(type, opts).Encode();
  // An apply body is YAML, and JSON is YAML.
  return impl_->Do(Call{Verb::kPatch, path, patch.dump(), PatchContentType(type), opts.timeout});
}

ApiResult<Object> HttpClient::Delete(const Resource& r, const std::string& ns,
                                     const std::string& name, const DeleteOptions& opts) {
  if (name.empty()) return ClientSideError("Delete " + r.resource + ": empty name");
  return impl_->Do(Call{Verb::kDelete, ResourcePath(r, ns, name), DeleteOptionsBody(opts).dump(),
                        "application/json", std::nullopt});
}

ApiResult<std::unique_ptr<WatchStream>> HttpClient::Watch(const Resource& r, const std::string& ns,
                                                          const WatchOptions& opts) {
  const int64_t timeout =
      opts.timeout_seconds > 0 ? opts.timeout_seconds : RandomWatchTimeoutSeconds();
  const std::string path = ResourcePath(r, ns) + WatchQuery(opts, timeout).Encode();
  const std::string what = "WATCH " + path;
  impl_->limiter.Wait();
  pplx::cancellation_token_source cts;
  std::unique_ptr<http::client::http_client> client;
  pplx::task<http::http_response> task;
  try {
    // A client per watch: its inactivity timer must outlast the server-side timeout (a
    // quiet collection sends nothing until then), and the connection is held throughout.
    client = std::make_unique<http::client::http_client>(
        impl_->config->server, MakeHttpConfig(impl_->config, std::chrono::seconds(timeout + 60)));
    task = client->request(impl_->MakeRequest(http::methods::GET, path), cts.get_token());
  } catch (...) {
    return FromException(std::current_exception(), false, what);
  }
  auto response = Await(std::move(task), cts, impl_->options.watch_open_timeout, what);
  if (!response.ok()) return response.error();
  if (response->status_code() != http::status_codes::OK) {
    auto body =
        Await(response->extract_utf8string(true), cts, impl_->options.default_timeout, what);
    return ApiError::FromResponse(response->status_code(), body.ok() ? *body : "",
                                  ParseRetryAfter(response->headers()));
  }
  return std::unique_ptr<WatchStream>(
      new HttpWatchStream(std::move(client), std::move(*response), cts, what, opts.field_filter));
}

}  // namespace limen::kube

// HttpClient against RawHttpServer: the wire format of each call, retries, deadlines and
// watch streaming edge cases. No cluster.
#include "limen/kube/http_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "raw_http_server.h"

namespace limen::kube {
namespace {

using testing::RawConnection;
using testing::RawHttpServer;
using testing::RawRequest;
using namespace std::chrono_literals;

// Real time, but Sleep() only records: retries and rate limits run instantly and the test
// checks the delays they asked for.
class RecordingClock final : public Clock {
 public:
  WallTime Now() const override { return std::chrono::system_clock::now(); }
  MonoTime Monotonic() const override { return std::chrono::steady_clock::now(); }
  void Sleep(Duration d) override {
    std::lock_guard lock(mu_);
    sleeps_.push_back(d);
  }
  std::vector<Duration> sleeps() const {
    std::lock_guard lock(mu_);
    return sleeps_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Duration> sleeps_;
};

class HttpClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<HttpClient> MakeClient(const RawHttpServer& server,
                                         HttpClientOptions options = {}) {
    Config config;
    config.server = server.url();
    config.token = TokenSource::Static("secret-token");
    options.clock = &clock_;
    options.rate_limit.qps = 0;  // RateLimitDelaysRequestsBeyondTheBurst tests it on its own
    auto client = HttpClient::Create(config, options);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return std::move(*client);
  }

  RecordingClock clock_;
};

const char kConfigMap[] =
    R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"ns"}})";

TEST_F(HttpClientTest, BadPemIsAnErrorAtCreation) {
  Config config;
  config.server = "https://127.0.0.1:1";
  config.source = "kubeconfig /k";
  config.ca_pem = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  auto client = HttpClient::Create(config);
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.status().message().find("kubeconfig /k: certificate-authority"),
            std::string::npos)
      << client.status().message();
  config.ca_pem.clear();
  config.client_cert_pem = "garbage";
  config.client_key_pem = "garbage";
  client = HttpClient::Create(config);
  ASSERT_FALSE(client.ok());
  EXPECT_NE(client.status().message().find("client-certificate"), std::string::npos);
  config.server = "";
  EXPECT_FALSE(HttpClient::Create(config).ok());
}

TEST_F(HttpClientTest, GetSendsPathAndHeaders) {
  RawHttpServer server([](const RawRequest&, RawConnection& c) {
    c.Write(RawHttpServer::Response(200, kConfigMap));
  });
  auto client = MakeClient(server);
  auto got = client->Get(resources::kConfigMaps, "ns", "a");
  ASSERT_TRUE(got.ok()) << got.error().ToString();
  EXPECT_EQ((*got)["metadata"]["name"], "a");
  const auto req = server.received().at(0);
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target, "/api/v1/namespaces/ns/configmaps/a");
  EXPECT_EQ(req.Header("authorization"), "Bearer secret-token");
  EXPECT_EQ(req.Header("accept"), "application/json");
}

TEST_F(HttpClientTest, RotatedTokenFileIsPickedUp) {
  RawHttpServer server([](const RawRequest&, RawConnection& c) {
    c.Write(RawHttpServer::Response(200, kConfigMap));
  });
  const std::string path = ::testing::TempDir() + "/limen-http-client-token";
  { std::ofstream(path) << "old"; }
  Config config;
  config.server = server.url();
  FakeClock token_clock;
  config.token = TokenSource::File(path, "old", std::chrono::minutes(1), token_clock);
  HttpClientOptions options;
  options.rate_limit.qps = 0;
  auto client = HttpClient::Create(config, options);
  ASSERT_TRUE(client.ok());
  ASSERT_TRUE((*client)->Get(resources::kConfigMaps, "ns", "a").ok());
  { std::ofstream(path) << "new\n"; }  // the kubelet rotated the bound token
  token_clock.Advance(std::chrono::minutes(2));
  ASSERT_TRUE((*client)->Get(resources::kConfigMaps, "ns", "a").ok());
  const auto reqs = server.received();
  EXPECT_EQ(reqs.at(0).Header("authorization"), "Bearer old");
  EXPECT_EQ(reqs.at(1).Header("authorization"), "Bearer new");
  std::remove(path.c_str());
}

TEST_F(HttpClientTest, ListEncodesSelectorsAndFillsItemKinds) {
  RawHttpServer server([](const RawRequest&, RawConnection& c) {
    c.Write(RawHttpServer::Response(
        200, R"({"kind":"ConfigMapList","apiVersion":"v1","metadata":{"resourceVersion":"42",
                 "continue":"tok"},"items":[{"metadata":{"name":"a"}}]})"));
  });
  auto client = MakeClient(server);
  ListOptions opts;
  opts.label_selector = "app in (a,b),tier!=db";
  opts.limit = 2;
  auto list = client->List(resources::kConfigMaps, "ns", opts);
  ASSERT_TRUE(list.ok()) << list.error().ToString();
  EXPECT_EQ(list->resource_version, "42");
  EXPECT_EQ(list->continue_token, "tok");
  ASSERT_EQ(list->items.size(), 1u);
  EXPECT_EQ(list->items[0]["kind"], "ConfigMap");
  EXPECT_EQ(list->items[0]["apiVersion"], "v1");
  EXPECT_EQ(server.received().at(0).target,
            "/api/v1/namespaces/ns/configmaps?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Ddb"
            "&limit=2");
}

TEST_F(HttpClientTest, PatchAndDeleteWireFormat) {
  RawHttpServer server([](const RawRequest&, RawConnection& c) {
    c.Write(RawHttpServer::Response(200, kConfigMap));
  });
  auto client = MakeClient(server);
  PatchOptions apply;
  apply.field_manager = "limen";
  apply.force = true;
  ASSERT_TRUE(client
                  ->Patch(resources::kConfigMaps, "ns", "a", PatchType::kApply,
                          {{"data", {{"k", "v"}}}}, apply)
                  .ok());
  ASSERT_TRUE(client
                  ->Patch(resources::kConfigMaps, "ns", "a", PatchType::kJsonPatch,
                          Object::array({{{"op", "remove"}, {"path", "/data/k"}}}))
                  .ok());
  DeleteOptions del;
  del.precondition_uid = "u-1";
  del.propagation_policy = "Foreground";
  ASSERT_TRUE(client->Delete(resources::kConfigMaps, "ns", "a", del).ok());

  const auto reqs = server.received();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].method, "PATCH");
  EXPECT_EQ(reqs[0].target, "/api/v1/namespaces/ns/configmaps/a?fieldManager=limen&force=true");
  EXPECT_EQ(reqs[0].Header("content-type").rfind("application/apply-patch+yaml", 0), 0u);
  EXPECT_EQ(reqs[1].Header("content-type").rfind("application/json-patch+json", 0), 0u);
  EXPECT_EQ(Object::parse(reqs[1].body)[0]["op"], "remove");
  EXPECT_EQ(reqs[2].method, "DELETE");
  const Object body = Object::parse(reqs[2].body);
  EXPECT_EQ(body["preconditions"]["uid"], "u-1");
  EXPECT_EQ(body["propagationPolicy"], "Foreground");
}

TEST_F(HttpClientTest, ApplyWithoutFieldManagerIsRejectedLocally) {
  RawHttpServer server([](const RawRequest&, RawConnection& c) {
    c.Write(RawHttpServer::Response(200, kConfigMap));
  });
  auto client = MakeClient(server);
  auto r = client->Patch(resources::kConfigMaps, "ns", "a", PatchType::kApply, Object::object());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 400);
  EXPECT_EQ(server.requests(), 0);
}

TEST_F(HttpClientTest, RetriesTooManyRequestsHonouringRetryAfter) {
  RawHttpServer server([&](const RawRequest&, RawConnection& c) {
    if (server.requests() == 1) {
      c.Write(RawHttpServer::Response(
          429, R"({"kind":"Status","reason":"TooManyRequests","message":"slow down"})",
          "Retry-After: 3\r\n"));
    } else {
      c.Write(RawHttpServer::Response(200, kConfigMap));
    }
  });
  auto client = MakeClient(server);
  // A create: 429 is safe to retry for every verb.
  auto r = client->Create(resources::kConfigMaps, "ns", Object::parse(kConfigMap));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(server.requests(), 2);
  ASSERT_EQ(clock_.sleeps().size(), 1u);
  EXPECT_EQ(clock_.sleeps()[0], 3s);
}

TEST_F(HttpClientTest, ServerErrorsAreRetriedWithBackoffThenReturned) {
  RawHttpServer server([](const RawRequest&, RawConnection& c) {
    c.Write(RawHttpServer::Response(503, R"({"kind":"Status","reason":"ServiceUnavailable"})"));
  });
  HttpClientOptions options;
  options.retry.max_attempts = 4;
  auto client = MakeClient(server, options);
  auto r = client->Get(resources::kConfigMaps, "ns", "a");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, 503);
  EXPECT_EQ(server.requests(), 4);
  const auto sleeps = clock_.sleeps();
  ASSERT_EQ(sleeps.size(), 3u);
  EXPECT_GE(sleeps[0], 200ms);
  EXPECT_GE(sleeps[1], 400ms);  // exponential
  EXPECT_GE(sleeps[2], 800ms);
}

TEST_F(HttpClientTest, CreateIsNotRetriedOnServerErrorWithoutRetryAfter) {
  RawHttpServer server([](const RawRequest&, RawConnection& c) {
    c.Write(RawHttpServer::Response(500, R"({"kind":"Status","reason":"InternalError"})"));
  });
  auto client = MakeClient(server);
  auto r = client->Create(resources::kConfigMaps, "ns", Object::parse(kConfigMap));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(server.requests(), 1);
}

TEST_F(HttpClientTest, ClientErrorsAreDecodedAndNotRetried) {
  RawHttpServer server([](const RawRequest&, RawConnection& c) {
    c.Write(RawHttpServer::Response(
        409, R"({"kind":"Status","reason":"Conflict","message":"the object has been modified",
                 "details":{"name":"a","kind":"configmaps"}})"));
  });
  auto client = MakeClient(server);
  auto r = client->Update(resources::kConfigMaps, "ns", Object::parse(kConfigMap));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error().IsConflict());
  EXPECT_EQ(r.error().message, "the object has been modified");
  EXPECT_EQ(r.error().details["name"], "a");
  EXPECT_EQ(server.requests(), 1);
}

TEST_F(HttpClientTest, RequestsThatNeverReachedTheServerAreRetriedForEveryVerb) {
  int port = 0;
  {
    RawHttpServer gone([](const RawRequest&, RawConnection&) {});
    port = std::stoi(gone.url().substr(gone.url().rfind(':') + 1));
  }  // nothing listens on `port` any more: connection refused
  Config config;
  config.server = "http://127.0.0.1:" + std::to_string(port);
  HttpClientOptions options;
  options.clock = &clock_;
  options.rate_limit.qps = 0;
  auto client = HttpClient::Create(config, options);
  ASSERT_TRUE(client.ok());
  auto get = (*client)->Get(resources::kConfigMaps, "ns", "a");
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.error().code, 0);
  EXPECT_EQ(get.error().reason, kReasonRequestNotSent);
  EXPECT_EQ(clock_.sleeps().size(), 4u);  // 5 attempts
  // Nothing was sent, so a create cannot be applied twice: retried as well.
  auto create = (*client)->Create(resources::kConfigMaps, "ns", Object::parse(kConfigMap));
  ASSERT_FALSE(create.ok());
  EXPECT_EQ(clock_.sleeps().size(), 8u);
}

TEST_F(HttpClientTest, AConnectionLostAfterTheRequestIsRetriedForReadsOnly) {
  // The server reads the whole request, then drops the connection without answering: it
  // may have acted on it, so only reads are repeated.
  RawHttpServer server([](const RawRequest&, RawConnection& c) { c.CloseAfter(); });
  auto client = MakeClient(server);
  auto get = client->Get(resources::kConfigMaps, "ns", "a");
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.error().reason, "ConnectionError");
  EXPECT_EQ(clock_.sleeps().size(), 4u);
  const int before = server.requests();
  auto create = client->Create(resources::kConfigMaps, "ns", Object::parse(kConfigMap));
  ASSERT_FALSE(create.ok());
  EXPECT_EQ(create.error().reason, "ConnectionError");
  EXPECT_EQ(clock_.sleeps().size(), 4u);  // not retried
  EXPECT_EQ(server.requests(), before + 1);
}

TEST_F(HttpClientTest, PerRequestTimeout) {
  RawHttpServer server([](const RawRequest&, RawConnection& c) {
    for (int i = 0; i < 100 && !c.stopping() && !c.PeerClosed(); ++i) {
      std::this_thread::sleep_for(20ms);
    }
    c.CloseAfter();
  });
  auto client = MakeClient(server);
  RequestOptions opts;
  opts.timeout = 200ms;
  const auto start = std::chrono::steady_clock::now();
  auto r = client->Get(resources::kConfigMaps, "ns", "a", opts);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, "Timeout") << r.error().ToString();
  EXPECT_LT(took, 1500ms);
  EXPECT_EQ(server.requests(), 1);  // a timeout is not retried
}

TEST_F(HttpClientTest, UndecodableSuccessBodyIsADecodeError) {
  RawHttpServer server([](const RawRequest&, RawConnection& c) {
    c.Write(RawHttpServer::Response(200, "<html>proxy</html>", "", "text/html"));
  });
  auto client = MakeClient(server);
  auto r = client->Get(resources::kConfigMaps, "ns", "a");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().reason, "DecodeError");
}

TEST_F(HttpClientTest, RateLimitDelaysRequestsBeyondTheBurst) {
  RawHttpServer server([](const RawRequest&, RawConnection& c) {
    c.Write(RawHttpServer::Response(200, kConfigMap));
  });
  HttpClientOptions options;
  options.rate_limit = {1, 2};  // 1 QPS, burst 2
  Config config;
  config.server = server.url();
  options.clock = &clock_;
  auto client = HttpClient::Create(config, options);
  ASSERT_TRUE(client.ok());
  for (int i = 0; i < 3; ++i) ASSERT_TRUE((*client)->Get(resources::kConfigMaps, "ns", "a").ok());
  const auto sleeps = clock_.sleeps();
  ASSERT_EQ(sleeps.size(), 1u);  // the third request waited for a token
  EXPECT_GT(sleeps[0], 0ms);     // about 1 s minus the time the first requests took
  EXPECT_LE(sleeps[0], 1s);
}

// --- watch ------------------------------------------------------------------------------

std::string Event(const std::string& type, const std::string& name, const std::string& rv) {
  return R"({"type":")" + type + R"(","object":{"kind":"ConfigMap","metadata":{"name":")" + name +
         R"(","resourceVersion":")" + rv + "\"}}}\n";
}

TEST_F(HttpClientTest, WatchDecodesSplitAndBatchedEvents) {
  RawHttpServer server([](const RawRequest&, RawConnection& c) {
    const std::string first = Event("ADDED", "a", "1");
    c.Write(RawHttpServer::ChunkedHeaders(200));
    c.Write(RawHttpServer::Chunk(first.substr(0, 20)));  // half a line...
    std::this_thread::sleep_for(50ms);
    c.Write(RawHttpServer::Chunk(first.substr(20)));  // ...then the rest
    c.Write(
        RawHttpServer::Chunk(Event("MODIFIED", "a", "2") + "not json\n" +
                             R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"3"}}})"
                             "\n"));
    c.Write(RawHttpServer::Chunk(
        R"({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired"}})"
        "\n"));
    c.Write(RawHttpServer::LastChunk());
  });
  auto client = MakeClient(server);
  WatchOptions opts;
  opts.resource_version = "7";
  auto stream = client->Watch(resources::kConfigMaps, "ns", opts);
  ASSERT_TRUE(stream.ok()) << stream.error().ToString();
  std::vector<WatchEvent> events;
  for (;;) {
    auto e = (*stream)->Next();
    ASSERT_TRUE(e.ok()) << e.error().ToString();
    if (!e->has_value()) break;
    events.push_back(**e);
  }
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].type, WatchEvent::Type::kAdded);
  EXPECT_EQ(events[1].type, WatchEvent::Type::kModified);
  EXPECT_EQ(events[2].type, WatchEvent::Type::kBookmark);
  EXPECT_EQ(events[3].type, WatchEvent::Type::kError);
  EXPECT_EQ(events[3].object["reason"], "Expired");

  const std::string target = server.received().at(0).target;
  EXPECT_NE(target.find("watch=1"), std::string::npos) << target;
  EXPECT_NE(target.find("resourceVersion=7"), std::string::npos) << target;
  EXPECT_NE(target.find("allowWatchBookmarks=true"), std::string::npos) << target;
  const auto t = target.find("timeoutSeconds=");
  ASSERT_NE(t, std::string::npos);
  const int timeout = std::stoi(target.substr(t + 15));
  EXPECT_GE(timeout, 300);
  EXPECT_LE(timeout, 600);
}

TEST_F(HttpClientTest, WatchDeliversAnEventBeforeTheStreamEnds) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  RawHttpServer server([&](const RawRequest&, RawConnection& c) {
    c.Write(RawHttpServer::ChunkedHeaders(200));
    c.Write(RawHttpServer::Chunk(Event("ADDED", "a", "1")));
    std::unique_lock lock(mu);
    cv.wait_for(lock, 10s, [&] { return release; });
    c.Write(RawHttpServer::LastChunk());
  });
  auto client = MakeClient(server);
  auto stream = client->Watch(resources::kConfigMaps, "ns", {});
  ASSERT_TRUE(stream.ok());
  auto e = (*stream)->Next();  // must not wait for the end of the body
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->has_value());
  EXPECT_EQ((*e)->object["metadata"]["name"], "a");
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  auto end = (*stream)->Next();
  ASSERT_TRUE(end.ok());
  EXPECT_FALSE(end->has_value());
}

TEST_F(HttpClientTest, WatchCancelUnblocksNext) {
  RawHttpServer server([](const RawRequest&, RawConnection& c) {
    c.Write(RawHttpServer::ChunkedHeaders(200));
    while (!c.stopping() && !c.PeerClosed()) std::this_thread::sleep_for(10ms);
    c.CloseAfter();
  });
  auto client = MakeClient(server);
  auto stream = client->Watch(resources::kConfigMaps, "ns", {});
  ASSERT_TRUE(stream.ok());
  WatchStream* s = stream->get();
  std::thread canceller([s] {
    std::this_thread::sleep_for(200ms);
    s->Cancel();
  });
  const auto start = std::chrono::steady_clock::now();
  auto e = s->Next();
  const auto took = std::chrono::steady_clock::now() - start;
  canceller.join();
  ASSERT_TRUE(e.ok()) << e.error().ToString();
  EXPECT_FALSE(e->has_value());
  EXPECT_LT(took, 2s);
}

TEST_F(HttpClientTest, WatchBrokenMidStreamIsAnError) {
  RawHttpServer server([](const RawRequest&, RawConnection& c) {
    c.Write(RawHttpServer::ChunkedHeaders(200));
    c.Write(RawHttpServer::Chunk(Event("ADDED", "a", "1")));
    c.Write("1000\r\n{\"type\":\"MOD");  // a chunk that never completes
    c.CloseAfter();
  });
  auto client = MakeClient(server);
  auto stream = client->Watch(resources::kConfigMaps, "ns", {});
  ASSERT_TRUE(stream.ok());
  auto first = (*stream)->Next();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  auto broken = (*stream)->Next();
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().code, 0);
  EXPECT_TRUE(broken.error().IsRetriable());
}

TEST_F(HttpClientTest, WatchOpenErrorIsDecoded) {
  RawHttpServer server([](const RawRequest&, RawConnection& c) {
    c.Write(RawHttpServer::Response(
        410, R"({"kind":"Status","reason":"Expired","message":"too old resource version"})"));
  });
  auto client = MakeClient(server);
  auto stream = client->Watch(resources::kConfigMaps, "ns", {});
  ASSERT_FALSE(stream.ok());
  EXPECT_TRUE(stream.error().IsResourceExpired());
  EXPECT_EQ(server.requests(), 1);  // the Watcher, not the client, decides what follows
}

}  // namespace
}  // namespace limen::kube

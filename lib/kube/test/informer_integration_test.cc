// Informer against the real local apiserver (ctest fixture `cluster`): exact convergence
// under concurrent churn, across apiserver SIGKILL restarts, and after a forced 410
// (etcd compaction + a watch resumed from a compacted resourceVersion). Informers sync by
// watch-list (the default) unless a test says LIST+WATCH.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <random>
#include <thread>

#include <cpprest/http_client.h>

#include "limen/kube/config.h"
#include "limen/kube/field_filter.h"
#include "limen/kube/http_client.h"
#include "limen/kube/informer.h"
#include "limen/testing/cluster_env.h"

namespace limen::kube {
namespace {

using namespace std::chrono_literals;

// What the handlers last saw per key: the resourceVersion, or "deleted".
class FinalStates final : public ResourceEventHandler {
 public:
  void OnAdd(const ObjectPtr& o, bool) override { Set(ObjectKey(*o), ObjectResourceVersion(*o)); }
  void OnUpdate(const ObjectPtr&, const ObjectPtr& n) override {
    Set(ObjectKey(*n), ObjectResourceVersion(*n));
  }
  void OnDelete(const DeletedObject& d) override {
    if (auto* t = std::get_if<DeletedFinalStateUnknown>(&d)) {
      ++tombstones;
      Set(t->key, "deleted");
    } else {
      Set(ObjectKey(*LastKnown(d)), "deleted");
    }
  }
  std::map<std::string, std::string> Snapshot() {
    std::lock_guard lock(mu_);
    return last_;
  }
  std::atomic<int> tombstones{0};

 private:
  void Set(const std::string& key, std::string v) {
    std::lock_guard lock(mu_);
    last_[key] = std::move(v);
  }
  std::mutex mu_;
  std::map<std::string, std::string> last_;
};

// A Client that forwards to another and can hold back watches, so a test can let the
// informer's resume resourceVersion grow old. It also records watch failures seen.
class PausableClient final : public Client {
 public:
  explicit PausableClient(Client& inner) : inner_(inner) {}
  ApiResult<Object> Get(const Resource& r, const std::string& ns, const std::string& n,
                        const RequestOptions& o) override {
    return inner_.Get(r, ns, n, o);
  }
  ApiResult<ObjectList> List(const Resource& r, const std::string& ns,
                             const ListOptions& o) override {
    ++lists;
    return inner_.List(r, ns, o);
  }
  ApiResult<Object> Create(const Resource& r, const std::string& ns, const Object& obj,
                           const RequestOptions& o) override {
    return inner_.Create(r, ns, obj, o);
  }
  ApiResult<Object> Update(const Resource& r, const std::string& ns, const Object& obj,
                           const RequestOptions& o) override {
    return inner_.Update(r, ns, obj, o);
  }
  ApiResult<Object> Patch(const Resource& r, const std::string& ns, const std::string& n,
                          PatchType t, const Object& p, const PatchOptions& o) override {
    return inner_.Patch(r, ns, n, t, p, o);
  }
  ApiResult<Object> Delete(const Resource& r, const std::string& ns, const std::string& n,
                           const DeleteOptions& o) override {
    return inner_.Delete(r, ns, n, o);
  }
  ApiResult<std::unique_ptr<WatchStream>> Watch(const Resource& r, const std::string& ns,
                                                const WatchOptions& o) override {
    while (paused.load()) std::this_thread::sleep_for(10ms);
    watch_rvs.push_back(o.resource_version);
    if (o.send_initial_events) ++watch_lists;
    auto w = inner_.Watch(r, ns, o);
    if (!w.ok()) {
      if (w.error().IsResourceExpired()) ++expired;
      return w;
    }
    std::lock_guard lock(mu_);
    current_ = w->get();
    return std::unique_ptr<WatchStream>(std::make_unique<Recording>(std::move(*w), this));
  }
  // Ends the open watch; the next one blocks while paused.
  void CutWatch() {
    std::lock_guard lock(mu_);
    if (current_) current_->Cancel();
  }

  std::atomic<bool> paused{false};
  std::atomic<int> expired{0};
  std::atomic<int> lists{0};
  std::atomic<int> watch_lists{0};     // watches with sendInitialEvents: full syncs too
  std::vector<std::string> watch_rvs;  // Watcher thread only until the test reads it

 private:
  class Recording final : public WatchStream {
   public:
    Recording(std::unique_ptr<WatchStream> s, PausableClient* owner)
        : s_(std::move(s)), owner_(owner) {}
    ~Recording() override {
      std::lock_guard lock(owner_->mu_);
      if (owner_->current_ == s_.get()) owner_->current_ = nullptr;
    }
    ApiResult<std::optional<WatchEvent>> Next() override {
      auto r = s_->Next();
      // Paused: the stream ends here, and what it still delivers is dropped. Cancel() takes
      // effect asynchronously, so without this the informer could still see (and resume
      // after) writes made while "paused" — and never need the compacted history.
      if (owner_->paused.load()) return std::optional<WatchEvent>();
      if (!r.ok() && r.error().IsResourceExpired()) ++owner_->expired;
      if (r.ok() && *r && (*r)->type == WatchEvent::Type::kError) ++owner_->expired;
      return r;
    }
    void Cancel() override { s_->Cancel(); }

   private:
    std::unique_ptr<WatchStream> s_;
    PausableClient* owner_;
  };

  Client& inner_;
  std::mutex mu_;
  WatchStream* current_ = nullptr;  // guarded by mu_
};

// Retries a call while the apiserver is unreachable (it is being restarted).
template <class F>
auto Retry(F f) {
  auto r = f();
  for (int i = 0; i < 600 && !r.ok() &&
                  (r.error().code == 0 || r.error().code >= 500 || r.error().code == 429);
       ++i) {
    std::this_thread::sleep_for(100ms);
    r = f();
  }
  return r;
}

class InformerIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto env = limen::testing::LoadClusterEnv();
    ASSERT_TRUE(env.ok()) << env.status().ToString();
    env_ = *env;
    ConfigSources sources;
    sources.kubeconfig_path = env_.kubeconfig;
    auto config = LoadConfig(sources);
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    HttpClientOptions options;
    options.rate_limit.qps = 0;  // the churn must not be throttled client-side
    options.default_timeout = 20s;
    auto client = HttpClient::Create(*config, options);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(*client);
    ns_ = "kr-" + std::to_string(std::random_device{}() % 1000000);
    auto created = Retry([&] {
      return client_->Create(
          resources::kNamespaces, "",
          {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", ns_}}}});
    });
    ASSERT_TRUE(created.ok()) << created.error().ToString();
  }

  void TearDown() override {
    if (client_) (void)client_->Delete(resources::kNamespaces, "", ns_);
  }

  static Object ConfigMap(const std::string& name, int generation) {
    return {{"apiVersion", "v1"},
            {"kind", "ConfigMap"},
            {"metadata", {{"name", name}}},
            {"data", {{"generation", std::to_string(generation)}}}};
  }

  // Creates `count` ConfigMaps, updates each twice and deletes every third, from 8
  // threads; afterwards keeps updating live objects while `keep_going`.
  void Churn(int count, const std::atomic<bool>& keep_going) {
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < count; i += 8) {
          const std::string name = "cm-" + std::to_string(i);
          if (!Create(name)) ++failures;
          for (int g = 1; g <= 2; ++g) {
            if (!UpdateTo(name, g)) ++failures;
          }
          if (i % 3 == 0 && !DeleteIt(name)) ++failures;
        }
        std::mt19937 rng(t);
        for (int g = 3; keep_going.load(); ++g) {
          int i = static_cast<int>(rng() % static_cast<unsigned>(count));
          if (i % 3 == 0) ++i;
          // Another writer may not have created object i yet: churn skips it.
          if (i < count && !UpdateTo("cm-" + std::to_string(i), g, /*missing_ok=*/true)) ++failures;
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(failures, 0);
  }

  bool Create(const std::string& name) {
    auto r =
        Retry([&] { return client_->Create(resources::kConfigMaps, ns_, ConfigMap(name, 0)); });
    return r.ok() || r.error().IsAlreadyExists();  // a retried create that had landed
  }
  bool UpdateTo(const std::string& name, int generation, bool missing_ok = false) {
    for (int attempt = 0; attempt < 50; ++attempt) {
      auto got = Retry([&] { return client_->Get(resources::kConfigMaps, ns_, name); });
      if (!got.ok()) return missing_ok && got.error().IsNotFound();
      Object obj = *got;
      obj["data"]["generation"] = std::to_string(generation);
      auto r = Retry([&] { return client_->Update(resources::kConfigMaps, ns_, obj); });
      if (r.ok()) return true;
      if (!r.error().IsConflict()) return false;
    }
    return false;
  }
  bool DeleteIt(const std::string& name) {
    auto r = Retry([&] { return client_->Delete(resources::kConfigMaps, ns_, name); });
    return r.ok() || r.error().IsNotFound();
  }

  // key → resourceVersion from a fresh, consistent list.
  std::map<std::string, std::string> FreshList() {
    auto list = Retry([&] { return ListAll(*client_, resources::kConfigMaps, ns_); });
    EXPECT_TRUE(list.ok()) << list.error().ToString();
    std::map<std::string, std::string> out;
    if (!list.ok()) return out;
    for (const auto& item : list->items) out[ObjectKey(item)] = ObjectResourceVersion(item);
    return out;
  }

  static std::map<std::string, std::string> Cached(const Informer& informer) {
    std::map<std::string, std::string> out;
    for (const auto& obj : informer.store().List())
      out[ObjectKey(*obj)] = ObjectResourceVersion(*obj);
    return out;
  }

  // Waits for the cache to equal a fresh list exactly, then checks the handlers' view.
  void ExpectConverged(const Informer& informer, FinalStates& handler) {
    std::map<std::string, std::string> fresh, cached;
    for (int i = 0; i < 600; ++i) {
      fresh = FreshList();
      cached = Cached(informer);
      if (fresh == cached) break;
      std::this_thread::sleep_for(100ms);
    }
    ASSERT_EQ(cached, fresh) << "the informer's cache never matched a fresh list";
    // Every handler saw every final state: each live key's last event carries its final
    // resourceVersion; every other key's last event was a delete.
    std::map<std::string, std::string> seen = handler.Snapshot();
    for (const auto& [key, rv] : fresh) EXPECT_EQ(seen[key], rv) << key;
    for (const auto& [key, last] : seen) {
      if (fresh.count(key) == 0) {
        EXPECT_EQ(last, "deleted") << key;
      }
    }
  }

  std::unique_ptr<Informer> MakeInformer(Client& client,
                                         const std::shared_ptr<FinalStates>& handler,
                                         std::shared_ptr<const FieldFilter> fields = nullptr,
                                         bool watch_list = false) {
    InformerOptions o;
    o.ns = ns_;
    o.transform = DropManagedFields;
    o.watcher.field_filter = std::move(fields);
    o.watcher.watch_list = watch_list;
    auto informer = std::make_unique<Informer>(client, resources::kConfigMaps, std::move(o));
    informer->AddEventHandler(handler);
    return informer;
  }

  // e2e/cluster/restart DIR COMPONENT --kill.
  void RestartComponent(const std::string& component) {
    const char* src = std::getenv("LIMEN_SOURCE_DIR");
    ASSERT_NE(src, nullptr);
    const std::string cmd = std::string(src) + "/e2e/cluster/restart " + env_.dir + " " +
                            component + " --kill >/dev/null 2>&1";
    const int rc = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << cmd;
  }

  limen::testing::ClusterEnv env_;
  std::unique_ptr<HttpClient> client_;
  std::string ns_;
};

// With a parse-time field filter that drops `data` (what the churn writes): the initial
// sync and the watch events are filtered, and the cache still converges exactly — by
// watch-list (whose end bookmark the filter must not hide) and by LIST+WATCH.
class InformerSyncModeTest : public InformerIntegrationTest,
                             public ::testing::WithParamInterface<bool> {};

TEST_P(InformerSyncModeTest, ConvergesExactlyUnderConcurrentChurnOf1000Objects) {
  auto handler = std::make_shared<FinalStates>();
  PausableClient counting(*client_);
  auto informer = MakeInformer(counting, handler, FieldMask::Keeping({{"metadata", "labels"}}),
                               /*watch_list=*/GetParam());
  informer->Run();
  ASSERT_TRUE(informer->WaitForSync(30s));
  std::atomic<bool> keep_going{false};
  Churn(1000, keep_going);
  ExpectConverged(*informer, *handler);
  // Every third of cm-0..cm-999 was deleted; the controller-manager adds kube-root-ca.crt.
  EXPECT_EQ(informer->store().Size(), 1000u - 334u + 1u);
  for (const auto& obj : informer->store().List()) {
    ASSERT_FALSE(obj->contains("data")) << ObjectKey(*obj) << ": the field filter kept data";
    ASSERT_EQ((*obj)["kind"], "ConfigMap");
  }
  informer->Stop();
  EXPECT_EQ(counting.lists.load(), GetParam() ? 0 : 1);
  EXPECT_EQ(counting.watch_lists.load(), GetParam() ? 1 : 0);
}

INSTANTIATE_TEST_SUITE_P(WatchListOrListWatch, InformerSyncModeTest, ::testing::Bool());

// Watch-list while 1,000 objects are being written: the initial events race with the churn
// (objects change between the snapshot and the end bookmark); the informer must still sync
// without a LIST and converge exactly.
TEST_F(InformerIntegrationTest, SyncsByWatchListDuringChurnAndConverges) {
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(Create("pre-" + std::to_string(i)));
  auto handler = std::make_shared<FinalStates>();
  PausableClient counting(*client_);
  auto informer = MakeInformer(counting, handler, nullptr, /*watch_list=*/true);
  std::atomic<bool> keep_going{false};
  std::thread churn([&] { Churn(1000, keep_going); });
  std::this_thread::sleep_for(300ms);  // the churn is under way
  informer->Run();
  const bool synced = informer->WaitForSync(30s);
  churn.join();
  ASSERT_TRUE(synced);
  ExpectConverged(*informer, *handler);
  EXPECT_EQ(informer->store().Size(), 100u + 1000u - 334u + 1u);
  informer->Stop();
  EXPECT_EQ(counting.lists.load(), 0) << "the informer fell back to LIST";
  EXPECT_EQ(counting.watch_lists.load(), 1);
}

TEST_F(InformerIntegrationTest, ConvergesAcrossThreeApiserverKills) {
  auto handler = std::make_shared<FinalStates>();
  auto informer = MakeInformer(*client_, handler);
  informer->Run();
  ASSERT_TRUE(informer->WaitForSync(30s));
  std::atomic<bool> keep_going{true};
  std::thread restarts([&] {
    for (int i = 0; i < 3; ++i) {
      std::this_thread::sleep_for(2s);
      RestartComponent("kube-apiserver");
    }
    std::this_thread::sleep_for(2s);
    keep_going = false;
  });
  Churn(1000, keep_going);
  restarts.join();
  ExpectConverged(*informer, *handler);
  informer->Stop();
}

// POSTs to etcd's v3 JSON gateway.
nlohmann::json EtcdPost(const std::string& etcd, const std::string& path,
                        const nlohmann::json& body) {
  web::http::client::http_client http(etcd);
  web::http::http_request req(web::http::methods::POST);
  req.set_request_uri(path);
  req.set_body(body.dump(), "application/json");
  auto resp = http.request(req).get();
  return nlohmann::json::parse(resp.extract_utf8string(true).get(), nullptr, false);
}

TEST_F(InformerIntegrationTest, RelistsAfterCompactionForcesA410) {
  auto handler = std::make_shared<FinalStates>();
  PausableClient pausable(*client_);
  auto informer = MakeInformer(pausable, handler);
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Create("before-" + std::to_string(i)));
  informer->Run();
  ASSERT_TRUE(informer->WaitForSync(30s));
  const int syncs_before = pausable.lists.load() + pausable.watch_lists.load();

  // Hold the watch back while the world moves on and its history is compacted away.
  pausable.paused = true;
  pausable.CutWatch();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(UpdateTo("before-" + std::to_string(i), 1));
    if (i % 2 == 0) {
      ASSERT_TRUE(DeleteIt("before-" + std::to_string(i)));
    }
    ASSERT_TRUE(Create("during-" + std::to_string(i)));
  }
  // key "\0" with range_end "\0" = every key; the header carries the current revision.
  const auto range =
      EtcdPost(env_.etcd, "/v3/kv/range", {{"key", "AA=="}, {"range_end", "AA=="}, {"limit", 1}});
  ASSERT_TRUE(range.contains("header")) << range.dump();
  const std::string revision = range["header"]["revision"];
  const auto compacted =
      EtcdPost(env_.etcd, "/v3/kv/compaction", {{"revision", revision}, {"physical", true}});
  ASSERT_TRUE(compacted.contains("header")) << compacted.dump();
  // The apiserver's watch cache would still serve the old resourceVersion from memory;
  // a restart rebuilds it from the compacted etcd, so the resumed watch gets 410.
  RestartComponent("kube-apiserver");
  pausable.paused = false;

  ExpectConverged(*informer, *handler);
  std::string rvs;
  for (const auto& rv : pausable.watch_rvs) rvs += rv + " ";
  EXPECT_GE(pausable.expired.load(), 1) << "no 410 was observed; watches from: " << rvs;
  EXPECT_GT(pausable.lists.load() + pausable.watch_lists.load(), syncs_before)
      << "the informer did not re-sync";
  EXPECT_GE(handler->tombstones.load(), 10) << "deletions missed by the watch come as tombstones";
  informer->Stop();
}

}  // namespace
}  // namespace limen::kube

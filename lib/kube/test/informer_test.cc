#include "limen/kube/informer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "fake_client.h"

namespace limen::kube {
namespace {

using testing::FakeClient;
using testing::MakeObject;
using Type = WatcherEvent::Type;

// Records every handler call as a line, e.g. "add ns/a 1 initial".
struct Recorder final : ResourceEventHandler {
  std::mutex mu;
  std::vector<std::string> calls;
  void Log(std::string s) {
    std::lock_guard lock(mu);
    calls.push_back(std::move(s));
  }
  void OnAdd(const ObjectPtr& o, bool initial) override {
    Log("add " + ObjectKey(*o) + " " + ObjectResourceVersion(*o) + (initial ? " initial" : ""));
  }
  void OnUpdate(const ObjectPtr& o, const ObjectPtr& n) override {
    Log("update " + ObjectKey(*n) + " " + ObjectResourceVersion(*o) + "->" +
        ObjectResourceVersion(*n));
  }
  void OnDelete(const DeletedObject& d) override {
    const bool tombstone = std::holds_alternative<DeletedFinalStateUnknown>(d);
    Log(std::string(tombstone ? "tombstone " : "delete ") + ObjectKey(*LastKnown(d)));
  }
  std::vector<std::string> Take() {
    std::lock_guard lock(mu);
    return std::exchange(calls, {});
  }
};

WatcherEvent Ev(Type t, Object o = nullptr) { return {t, std::move(o)}; }

class InformerHandleTest : public ::testing::Test {
 protected:
  InformerHandleTest() : informer_(client_, resources::kConfigMaps, Options()) {
    informer_.AddEventHandler(recorder_);
  }
  static InformerOptions Options() {
    InformerOptions o;
    o.transform = DropManagedFields;
    return o;
  }
  void Relist(std::vector<Object> items) {
    informer_.Handle(Ev(Type::kInit));
    for (auto& o : items) informer_.Handle(Ev(Type::kInitApply, std::move(o)));
    informer_.Handle(Ev(Type::kInitDone));
  }

  FakeClient client_;
  Informer informer_;
  std::shared_ptr<Recorder> recorder_ = std::make_shared<Recorder>();
};

TEST_F(InformerHandleTest, SyncedOnlyAfterFirstFullList) {
  informer_.Handle(Ev(Type::kInit));
  informer_.Handle(Ev(Type::kInitApply, MakeObject("ns", "a", "1")));
  EXPECT_FALSE(informer_.HasSynced());
  EXPECT_EQ(informer_.store().Size(), 0u);  // the buffer is aside until kInitDone
  informer_.Handle(Ev(Type::kInitDone));
  EXPECT_TRUE(informer_.HasSynced());
  EXPECT_EQ(informer_.store().Size(), 1u);
  EXPECT_EQ(recorder_->Take(), std::vector<std::string>{"add ns/a 1 initial"});
}

TEST_F(InformerHandleTest, WatchEventsCallAddUpdateDelete) {
  Relist({});
  informer_.Handle(Ev(Type::kApply, MakeObject("ns", "a", "2")));
  informer_.Handle(Ev(Type::kApply, MakeObject("ns", "a", "3")));
  informer_.Handle(Ev(Type::kDelete, MakeObject("ns", "a", "4")));
  EXPECT_EQ(recorder_->Take(),
            (std::vector<std::string>{"add ns/a 2", "update ns/a 2->3", "delete ns/a"}));
  EXPECT_EQ(informer_.store().Size(), 0u);
}

TEST_F(InformerHandleTest, RelistDiffsAgainstCacheWithTombstonesForVanishedObjects) {
  Relist({MakeObject("ns", "keep", "1"), MakeObject("ns", "change", "1"),
          MakeObject("ns", "vanish", "1")});
  recorder_->Take();
  Relist({MakeObject("ns", "keep", "1"), MakeObject("ns", "change", "5"),
          MakeObject("ns", "new", "6")});
  auto calls = recorder_->Take();
  std::sort(calls.begin(), calls.end());
  EXPECT_EQ(calls, (std::vector<std::string>{"add ns/new 6", "tombstone ns/vanish",
                                             "update ns/change 1->5"}));
  EXPECT_EQ(informer_.store().Size(), 3u);
}

TEST_F(InformerHandleTest, TransformAppliesBeforeStoring) {
  Object o = MakeObject("ns", "a", "1");
  o["metadata"]["managedFields"] = Object::array({{{"manager", "kubectl"}}});
  Relist({o});
  EXPECT_FALSE(informer_.store().Get("ns/a")->at("metadata").contains("managedFields"));
}

// The store keeps what `retain` leaves; handlers get the whole object as the new state and
// the retained one as the old state and in tombstones.
TEST(InformerRetainTest, StoreKeepsTheRetainedFormHandlersTheWholeObject) {
  FakeClient client;
  InformerOptions o;
  o.compact = true;
  o.retain = [](const Object& obj) {
    Object meta = obj.at("metadata");
    meta.erase("labels");
    return Object{{"metadata", std::move(meta)}};
  };
  Informer informer(client, resources::kConfigMaps, std::move(o));
  std::vector<std::string> seen;  // "event key labels-of-each-object-handed-over"
  auto labels = [](const ObjectPtr& obj) {
    return obj->at("metadata").contains("labels") ? std::string("labels") : std::string("bare");
  };
  auto h = std::make_shared<ResourceEventHandlerFuncs>();
  h->add = [&](const ObjectPtr& obj, bool) { seen.push_back("add " + labels(obj)); };
  h->update = [&](const ObjectPtr& old, const ObjectPtr& now) {
    seen.push_back("update " + labels(old) + "->" + labels(now));
  };
  h->del = [&](const DeletedObject& d) {
    const bool tombstone = std::holds_alternative<DeletedFinalStateUnknown>(d);
    seen.push_back((tombstone ? "tombstone " : "delete ") + labels(LastKnown(d)));
  };
  informer.AddEventHandler(h);
  auto labelled = [](const std::string& name, const std::string& rv) {
    Object obj = MakeObject("ns", name, rv);
    obj["metadata"]["labels"] = {{"app", "web"}};
    obj["data"] = {{"k", "v"}};
    return obj;
  };

  informer.Handle(Ev(Type::kInit));
  informer.Handle(Ev(Type::kInitApply, labelled("a", "1")));
  informer.Handle(Ev(Type::kInitApply, labelled("b", "1")));
  informer.Handle(Ev(Type::kInitDone));
  EXPECT_EQ(*informer.store().Get("ns/a"),
            (Object{{"metadata", {{"name", "a"}, {"namespace", "ns"}, {"resourceVersion", "1"}}}}));
  std::vector<std::string> in_ns = informer.store().IndexKeys(kNamespaceIndex, "ns");
  std::sort(in_ns.begin(), in_ns.end());
  EXPECT_EQ(in_ns, (std::vector<std::string>{"ns/a", "ns/b"}));
  informer.Handle(Ev(Type::kApply, labelled("a", "2")));
  EXPECT_EQ(ObjectResourceVersion(*informer.store().Get("ns/a")), "2");
  informer.Handle(Ev(Type::kDelete, labelled("a", "3")));
  // A relist that changes b and misses nothing else of the store but a vanished c.
  informer.Handle(Ev(Type::kApply, labelled("c", "4")));
  informer.Handle(Ev(Type::kInit));
  informer.Handle(Ev(Type::kInitApply, labelled("b", "5")));
  informer.Handle(Ev(Type::kInitDone));
  EXPECT_EQ(seen, (std::vector<std::string>{"add labels", "add labels", "update bare->labels",
                                            "delete labels", "add labels", "update bare->labels",
                                            "tombstone bare"}));
  EXPECT_EQ(informer.store().ListKeys(), std::vector<std::string>{"ns/b"});
}

TEST(InformerRunTest, ConvergesWithClientThroughListAndWatch) {
  FakeClient client;
  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(
        client.Create(resources::kConfigMaps, "ns", MakeObject("ns", "o" + std::to_string(i)))
            .ok());
  Informer informer(client, resources::kConfigMaps, {});
  auto rec = std::make_shared<Recorder>();
  informer.AddEventHandler(rec);
  informer.Run();
  ASSERT_TRUE(informer.WaitForSync(std::chrono::seconds(5)));
  EXPECT_EQ(informer.store().Size(), 5u);
  for (int i = 0; i < 50 && client.streams().empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_TRUE(client.Delete(resources::kConfigMaps, "ns", "o0").ok());
  ASSERT_TRUE(client.Create(resources::kConfigMaps, "ns", MakeObject("ns", "o9")).ok());
  for (int i = 0; i < 200 && informer.store().Get("ns/o9") == nullptr; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(informer.store().Get("ns/o0"), nullptr);
  EXPECT_NE(informer.store().Get("ns/o9"), nullptr);
  informer.Stop();
}

}  // namespace
}  // namespace limen::kube

#include "limen/bpf/kube_pods.h"

#include <gtest/gtest.h>

namespace limen::bpf {
namespace {

using nlohmann::json;

json Pod(const std::string& ns, const std::string& name, json labels, json statuses,
         const std::string& phase = "Running") {
  return {{"metadata",
           {{"namespace", ns},
            {"name", name},
            {"uid", "uid-" + name},
            {"labels", labels},
            {"managedFields", json::array({{{"x", 1}}})}}},
          {"spec", {{"nodeName", "n1"}, {"containers", json::array()}}},
          {"status", {{"phase", phase}, {"containerStatuses", statuses}}}};
}

json Policy(const std::string& ns, const std::string& name, json selector, json probes) {
  json spec = {{"probes", probes}};
  if (!selector.is_null()) spec["selector"] = selector;
  return {{"apiVersion", "limen.dev/v1alpha1"},
          {"kind", "ObservabilityPolicy"},
          {"metadata", {{"namespace", ns}, {"name", name}}},
          {"spec", spec}};
}

json Containers() {
  return json::array({{{"name", "sidecar"}, {"containerID", "containerd://bbb"}},
                      {{"name", "app"}, {"containerID", "containerd://aaa"}},
                      {{"name", "waiting"}}});
}

TEST(SelectPodTargets, Table) {
  struct Case {
    std::string name;
    std::vector<json> pods;
    std::vector<json> policies;
    std::vector<std::string> want;  // "ns/name:probe,probe"
    size_t warnings = 0;
  };
  json web = Pod("a", "web", {{"app", "web"}}, Containers());
  json db = Pod("a", "db", {{"app", "db"}}, Containers());
  json web_b = Pod("b", "web", {{"app", "web"}}, Containers());
  std::vector<Case> cases = {
      {"no policies, nothing traced", {web}, {}, {}},
      {"matchLabels in the policy's namespace only",
       {web, db, web_b},
       {Policy("a", "p", {{"matchLabels", {{"app", "web"}}}}, {"tcp.send"})},
       {"a/web:tcp.send"}},
      {"empty selector selects the whole namespace",
       {web, db, web_b},
       {Policy("a", "p", json::object(), {"process.exec"})},
       {"a/db:process.exec", "a/web:process.exec"}},
      {"absent selector selects nothing", {web}, {Policy("a", "p", nullptr, {"tcp.send"})}, {}},
      {"union of the selecting policies' probes",
       {web},
       {Policy("a", "p1", json::object(), {"tcp.send", "tcp.state"}),
        Policy("a", "p2", {{"matchLabels", {{"app", "web"}}}}, {"go.chan.block", "tcp.send"}),
        Policy("a", "p3", {{"matchLabels", {{"app", "db"}}}}, {"process.exit"})},
       {"a/web:tcp.send,tcp.state,go.chan.block"}},
      {"matchExpressions",
       {web, db},
       {Policy("a", "p",
               {{"matchExpressions",
                 json::array({{{"key", "app"}, {"operator", "NotIn"}, {"values", {"web"}}}})}},
               {"tcp.state"})},
       {"a/db:tcp.state"}},
      {"finished pods are not traced",
       {Pod("a", "done", {{"app", "web"}}, Containers(), "Succeeded"),
        Pod("a", "failed", {{"app", "web"}}, Containers(), "Failed")},
       {Policy("a", "p", json::object(), {"tcp.send"})},
       {}},
      {"a bad policy warns and the others still apply",
       {web},
       {Policy("a", "bad",
               {{"matchExpressions",
                 json::array({{{"key", "app"}, {"operator", "Near"}, {"values", {"x"}}}})}},
               {"tcp.send"}),
        {{"metadata", {{"namespace", "a"}, {"name", "garbled"}}}, {"spec", "not an object"}},
        Policy("a", "unknown-probe", json::object(), {"tcp.teleport", "tcp.state"})},
       {"a/web:tcp.state"},
       3},
  };
  for (const auto& c : cases) {
    PodSelection sel = SelectPodTargets(c.pods, c.policies);
    std::vector<std::string> got;
    for (const auto& p : sel.pods) {
      std::string s = p.namespace_ + "/" + p.name + ":";
      for (Probe pr : p.probes)
        s += std::string(ProbeName(pr)) + (pr == *p.probes.rbegin() ? "" : ",");
      got.push_back(s);
    }
    EXPECT_EQ(got, c.want) << c.name;
    EXPECT_EQ(sel.warnings.size(), c.warnings) << c.name;
    for (const auto& w : sel.warnings) EXPECT_NE(w.find("policy a/"), std::string::npos) << w;
  }
}

TEST(SelectPodTargets, ContainersFromContainerStatuses) {
  PodSelection sel = SelectPodTargets({Pod("a", "web", {{"app", "web"}}, Containers())},
                                      {Policy("a", "p", json::object(), {"tcp.send"})});
  ASSERT_EQ(sel.pods.size(), 1u);
  const PodTarget& p = sel.pods[0];
  EXPECT_EQ(p.uid, "uid-web");
  ASSERT_EQ(p.containers.size(), 3u);
  EXPECT_EQ(p.containers[0].name, "app");
  EXPECT_EQ(p.containers[0].container_id, "containerd://aaa");
  EXPECT_EQ(p.containers[1].name, "sidecar");
  EXPECT_EQ(p.containers[2].name, "waiting");
  EXPECT_EQ(p.containers[2].container_id, "");  // not started: matches no process yet
  EXPECT_TRUE(p.containers[0].pids.empty());
  EXPECT_TRUE(p.containers[0].cgroups.empty());
}

TEST(SelectPodTargets, GarbageDoesNotThrow) {
  std::vector<json> junk = {json(),
                            json(3),
                            json::array(),
                            json{{"metadata", 1}},
                            json{{"metadata", {{"name", 2}}}, {"status", "x"}},
                            json{{"metadata", {{"namespace", "a"}, {"name", "x"}, {"labels", 5}}},
                                 {"status", {{"containerStatuses", {1, "y", json()}}}}}};
  PodSelection sel = SelectPodTargets(junk, junk);
  EXPECT_TRUE(sel.pods.empty());
  for (const auto& j : junk) EXPECT_NO_THROW(ProjectPod(j));
}

TEST(ProjectPod, KeepsOnlyWhatSelectionReads) {
  json p = ProjectPod(Pod("a", "web", {{"app", "web"}}, Containers()));
  EXPECT_FALSE(p["metadata"].contains("managedFields"));
  EXPECT_FALSE(p["spec"].contains("containers"));
  EXPECT_EQ(p["spec"]["nodeName"], "n1");
  EXPECT_EQ(p["metadata"]["labels"]["app"], "web");
  EXPECT_EQ(p["status"]["containerStatuses"][1]["containerID"], "containerd://aaa");
  // Selection gives the same answer on the projection as on the full object.
  auto policies = std::vector<json>{Policy("a", "p", json::object(), {"tcp.send"})};
  EXPECT_EQ(SelectPodTargets({p}, policies).pods.size(), 1u);
}

}  // namespace
}  // namespace limen::bpf

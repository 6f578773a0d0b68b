#include "limen/bpf/cli.h"

#include <gtest/gtest.h>

namespace limen::bpf {
namespace {

TEST(ParseCli, Standalone) {
  auto c = ParseCli({"standalone", "--pid", "42", "--pid", "43", "--cgroup", "/sys/fs/cgroup/x",
                     "--probes", "tcp.send,go.chan.block", "--metrics-addr", "127.0.0.1:0",
                     "--print-json", "--pod", "ns/web/uid-1", "--ringbuf-bytes", "4096"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->pod.namespace_, "ns");
  EXPECT_EQ(c->pod.name, "web");
  EXPECT_EQ(c->pod.uid, "uid-1");
  ASSERT_EQ(c->pod.containers.size(), 1u);
  EXPECT_EQ(c->pod.containers[0].pids, (std::vector<int>{42, 43}));
  EXPECT_EQ(c->probes, (std::set<Probe>{Probe::kTcpSend, Probe::kGoChanBlock}));
  EXPECT_TRUE(c->print_json);
  EXPECT_EQ(c->ringbuf_bytes, 4096u);
}

TEST(ParseCli, KubeIsTheDefault) {
  auto none = ParseCli({});
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_EQ(none->command, "kube");
  EXPECT_EQ(none->report_interval_ms, 15000);
  auto c = ParseCli({"--node-name", "n1", "--kubeconfig", "/k", "--metrics-addr", "0.0.0.0:9464",
                     "--report-interval-ms", "1000", "--resync-interval-ms", "200"});
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->command, "kube");
  EXPECT_EQ(c->node, "n1");
  EXPECT_EQ(c->kubeconfig, "/k");
  EXPECT_EQ(c->report_interval_ms, 1000);
  EXPECT_EQ(c->resync_interval_ms, 200);
  auto k = ParseCli({"kube", "--node", "n2"});
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->node, "n2");
}

TEST(ParseCli, HelpWinsOverEverythingElse) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"help"}, {"--help"}, {"-h"}, {"standalone", "--help"}, {"kube", "--pid", "-h"}}) {
    auto c = ParseCli(args);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(c->command, "help") << args.back();
  }
  EXPECT_EQ(ParseCli({"standalone", "--pid", "1"})->command, "standalone");
}

TEST(ParseCli, BadInputNamesTheFlag) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"bogus"},
           {"--pid", "1"},
           {"kube", "--probes", "tcp.send"},
           {"standalone", "--pid", "1", "--kubeconfig", "/k"},
           {"--resync-interval-ms", "1"},
           {"standalone"},
           {"standalone", "--pid"},
           {"standalone", "--pid", "x1"},
           {"standalone", "--pid", "-3"},
           {"standalone", "--pid", "1", "--probes", "tcp.nope"},
           {"standalone", "--pid", "1", "--ringbuf-bytes", "5000"},
           {"standalone", "--cgroup", "relative"},
           {"standalone", "--pid", "1", "--pod", "noslash"},
           {"standalone", "--pid", "1", "--frobnicate", "1"}}) {
    EXPECT_FALSE(ParseCli(args).ok()) << (args.empty() ? "" : args.back());
  }
}

}  // namespace
}  // namespace limen::bpf

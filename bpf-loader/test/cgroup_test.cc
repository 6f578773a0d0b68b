#include "limen/bpf/cgroup.h"

#include <gtest/gtest.h>

namespace limen::bpf {
namespace {

const std::string kId = "3f9c2a7e1b4d5f60718293a4b5c6d7e8f9012345678901234567890abcdef012";

TEST(ParseProcCgroup, V1HybridAndV2Lines) {
  auto e = ParseProcCgroup("12:memory:/kubepods/pod1/" + kId +
                           "\n4:cpu,cpuacct:/x\n1:name=systemd:/\n0::/\n");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  ASSERT_EQ(e->size(), 4u);
  EXPECT_EQ((*e)[0].hierarchy, 12);
  EXPECT_EQ((*e)[0].controllers, std::vector<std::string>{"memory"});
  EXPECT_EQ((*e)[1].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_EQ((*e)[2].controllers, std::vector<std::string>{"name=systemd"});
  EXPECT_TRUE((*e)[3].controllers.empty());
  EXPECT_EQ((*e)[3].path, "/");
}

TEST(ParseProcCgroup, PathMayContainColons) {
  auto e = ParseProcCgroup("0::/a:b/c\n");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ((*e)[0].path, "/a:b/c");
}

TEST(ParseProcCgroup, MalformedLinesAreErrors) {
  for (const char* bad :
       {"garbage\n", "x::/\n", "0:memory\n", "0::relative\n", ":::\n", "99999999999::/\n"}) {
    auto e = ParseProcCgroup(bad);
    EXPECT_FALSE(e.ok()) << bad;
    if (!e.ok()) {
      EXPECT_EQ(e.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(ContainerFromCgroupPath, RuntimePatterns) {
  struct Case {
    std::string path;
    std::string runtime;
  };
  std::vector<Case> cases = {
      {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0a1b_2c.slice/"
       "cri-containerd-" +
           kId + ".scope",
       "containerd"},
      {"/kubepods.slice/kubepods-pod1.slice/crio-" + kId + ".scope", "cri-o"},
      {"/system.slice/docker-" + kId + ".scope", "docker"},
      {"/kubepods/besteffort/pod1234/" + kId, ""},
      {"/docker/" + kId, ""},
  };
  for (const auto& c : cases) {
    auto ref = ContainerFromCgroupPath(c.path);
    ASSERT_TRUE(ref.has_value()) << c.path;
    EXPECT_EQ(ref->id, kId);
    EXPECT_EQ(ref->runtime, c.runtime) << c.path;
  }
}

TEST(ContainerFromCgroupPath, NotContainers) {
  EXPECT_FALSE(ContainerFromCgroupPath("/").has_value());
  EXPECT_FALSE(ContainerFromCgroupPath("/user.slice/user-0.slice/session-1.scope").has_value());
  EXPECT_FALSE(ContainerFromCgroupPath("/kubepods/crio-conmon-" + kId + ".scope").has_value());
  EXPECT_FALSE(ContainerFromCgroupPath("/cri-containerd-" + kId.substr(1) + ".scope").has_value());
  EXPECT_FALSE(ContainerFromCgroupPath("/" + std::string(64, 'A')).has_value());  // upper case
}

TEST(PodUidFromCgroupPath, SystemdAndCgroupfsForms) {
  EXPECT_EQ(
      PodUidFromCgroupPath("/kubepods.slice/kubepods-burstable.slice/"
                           "kubepods-burstable-pod8f1b3c2d_1a2b_4c3d_9e8f_0123456789ab.slice/x"),
      "8f1b3c2d-1a2b-4c3d-9e8f-0123456789ab");
  EXPECT_EQ(
      PodUidFromCgroupPath("/kubepods/besteffort/pod8f1b3c2d-1a2b-4c3d-9e8f-0123456789ab/" + kId),
      "8f1b3c2d-1a2b-4c3d-9e8f-0123456789ab");
  EXPECT_FALSE(PodUidFromCgroupPath("/system.slice").has_value());
}

TEST(ContainerOfProcess, PrefersV2ThenMemory) {
  auto e = ParseProcCgroup("5:memory:/kubepods/pod1/" + kId + "\n0::/\n");
  ASSERT_TRUE(e.ok());
  auto ref = ContainerOfProcess(*e);
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->id, kId);
}

TEST(ParseContainerId, StatusForm) {
  auto ref = ParseContainerId("containerd://" + kId);
  ASSERT_TRUE(ref.has_value());
  EXPECT_EQ(ref->runtime, "containerd");
  EXPECT_EQ(ref->id, kId);
  EXPECT_FALSE(ParseContainerId(kId).has_value());
  EXPECT_FALSE(ParseContainerId("containerd://short").has_value());
}

TEST(ParseCgroupMounts, HybridHost) {
  const char* mi =
      "30 25 0:26 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "31 30 0:27 / /sys/fs/cgroup/unified rw,relatime shared:5 - cgroup2 cgroup2 rw\n"
      "32 30 0:28 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
      "34 30 0:30 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd\n";
  CgroupMounts m = ParseCgroupMounts(mi);
  EXPECT_EQ(m.v2, "/sys/fs/cgroup/unified");
  EXPECT_EQ(m.v1.at("memory"), "/sys/fs/cgroup/memory");
  EXPECT_EQ(m.v1.at("cpuacct"), "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(m.v1.at("name=systemd"), "/sys/fs/cgroup/systemd");
  EXPECT_TRUE(m.hybrid());
  EXPECT_TRUE(m.has_v1_memory());
}

TEST(ParseCgroupMounts, PureV2HostHasNoV1MemoryIds) {
  const char* mi = "30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
  CgroupMounts m = ParseCgroupMounts(mi);
  EXPECT_EQ(m.v2, "/sys/fs/cgroup");
  EXPECT_FALSE(m.hybrid());
  EXPECT_FALSE(m.has_v1_memory());
}

TEST(ParseCgroupMounts, V1WithoutTheMemoryControllerHasNoV1MemoryIds) {
  const char* mi =
      "30 25 0:26 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"
      "33 30 0:29 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n";
  EXPECT_FALSE(ParseCgroupMounts(mi).has_v1_memory());
}

TEST(ReadProcCgroup, VanishedPidIsNotFound) {
  auto e = ReadProcCgroup(1 << 30);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace limen::bpf

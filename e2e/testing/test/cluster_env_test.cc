#include "limen/testing/cluster_env.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace limen::testing {
namespace {

TEST(ParseEnvFileTest, ParsesKeyValueLinesAndSkipsComments) {
  auto vars = ParseEnvFile("# comment\n\nA=1\nB=x=y\n");
  ASSERT_TRUE(vars.ok()) << vars.status().ToString();
  EXPECT_EQ(vars->size(), 2u);
  EXPECT_EQ(vars->at("A"), "1");
  EXPECT_EQ(vars->at("B"), "x=y");
}

TEST(ParseEnvFileTest, RejectsLineWithoutEqualsNamingTheLine) {
  auto vars = ParseEnvFile("A=1\nbroken\n");
  ASSERT_FALSE(vars.ok());
  EXPECT_EQ(vars.status().message(), "line 2 is not KEY=VALUE: broken");
}

TEST(LoadClusterEnvTest, MissingDirectoryIsNotFound) {
  auto env = LoadClusterEnv("/nonexistent/limen-cluster");
  ASSERT_FALSE(env.ok());
  EXPECT_EQ(env.status().code(), StatusCode::kNotFound);
}

TEST(LoadClusterEnvTest, MissingKeyIsNamed) {
  const auto dir = std::filesystem::temp_directory_path() / "limen-cluster-env-test";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "env") << "LIMEN_CLUSTER_DIR=/x\nLIMEN_CLUSTER_SERVER=https://127.0.0.1:1\n";
  auto env = LoadClusterEnv(dir.string());
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.status().message().find("missing LIMEN_CLUSTER_CA"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace limen::testing

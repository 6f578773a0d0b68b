#include "cluster.h"

#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "cases.h"
#include "limen/kube/base64.h"
#include "limen/kube/config.h"
#include "limen/testing/cluster_env.h"

namespace limen::reconcilers::testing {
namespace {

const kube::Resource kCrds{"apiextensions.k8s.io", "v1", "customresourcedefinitions",
                           "CustomResourceDefinition", false};

bool Established(const kube::Object& crd) {
  auto status = crd.find("status");
  if (status == crd.end() || !status->is_object()) return false;
  auto conds = status->find("conditions");
  if (conds == status->end() || !conds->is_array()) return false;
  for (const auto& c : *conds) {
    if (c.value("type", "") == "Established" && c.value("status", "") == "True") return true;
  }
  return false;
}

}  // namespace

StatusOr<std::unique_ptr<kube::HttpClient>> ConnectToFixtureCluster() {
  LIMEN_ASSIGN_OR_RETURN(limen::testing::ClusterEnv env, limen::testing::LoadClusterEnv());
  kube::ConfigSources sources;
  sources.kubeconfig_path = env.kubeconfig;
  LIMEN_ASSIGN_OR_RETURN(kube::Config config, kube::LoadConfig(sources));
  return kube::HttpClient::Create(std::move(config));
}

Status ApplyCrds(kube::Client& client, std::chrono::seconds timeout) {
  std::vector<kube::Resource> served;
  for (const std::string& file : envoy::cases::YamlFilesIn(LIMEN_CRDS_DIR)) {
    LIMEN_ASSIGN_OR_RETURN(auto docs, envoy::cases::LoadYaml(file));
    for (const kube::Object& crd : docs) {
      if (!crd.is_object() || crd.value("kind", "") != "CustomResourceDefinition") continue;
      const std::string name = crd["metadata"].value("name", "");
      kube::PatchOptions opts;
      opts.field_manager = "limen-reconcilers-test";
      opts.force = true;
      auto applied = client.Patch(kCrds, "", name, kube::PatchType::kApply, crd, opts);
      if (!applied.ok()) {
        return applied.error().ToStatus().WithContext("applying " + name + " from " + file);
      }
      const auto& spec = crd["spec"];
      served.push_back(
          kube::Resource{spec.value("group", ""), "v1alpha1", spec["names"].value("plural", ""),
                         spec["names"].value("kind", ""), spec.value("scope", "") == "Namespaced"});
      const bool ok = Eventually(
          [&] {
            auto got = client.Get(kCrds, "", name);
            return got.ok() && Established(*got);
          },
          timeout);
      if (!ok) return Status::DeadlineExceeded(name + " is not Established");
    }
  }
  for (const kube::Resource& r : served) {
    // Established can run ahead of the handler that serves the resource by a moment.
    kube::ListOptions one;
    one.limit = 1;
    if (!Eventually([&] { return client.List(r, "", one).ok(); }, timeout)) {
      return Status::DeadlineExceeded(r.resource + "." + r.group + " is not served");
    }
  }
  return Status::Ok();
}

StatusOr<std::string> CreateTestNamespace(kube::Client& client, std::string_view prefix) {
  std::random_device rd;
  std::ostringstream name;
  name << prefix << "-" << std::hex << (rd() & 0xffffffu);
  kube::Object ns = {
      {"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name.str()}}}};
  auto created = client.Create(kube::resources::kNamespaces, "", ns);
  if (!created.ok()) return created.error().ToStatus().WithContext("creating namespace");
  return name.str();
}

void DeleteTestNamespace(kube::Client& client, const std::string& name) {
  (void)client.Delete(kube::resources::kNamespaces, "", name);
}

bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

kube::InformerOptions InNamespace(const std::string& ns) {
  kube::InformerOptions o;
  o.ns = ns;
  return o;
}

kube::EventRecorderOptions RecorderOptions(const std::string& instance) {
  kube::EventRecorderOptions o;
  o.reporting_controller = "limen.dev/operator";
  o.reporting_instance = instance;
  return o;
}

Status PutBinaryConfigMap(kube::Client& client, const std::string& ns, const std::string& name,
                          const std::string& key, std::string_view bytes) {
  const kube::Object binary = {{key, kube::Base64Encode(bytes)}};
  auto existing = client.Get(kube::resources::kConfigMaps, ns, name);
  if (existing.ok()) {
    (*existing)["binaryData"] = binary;
    auto r = client.Update(kube::resources::kConfigMaps, ns, *existing);
    return r.ok() ? Status::Ok() : r.error().ToStatus();
  }
  const kube::Object cm = {{"apiVersion", "v1"},
                           {"kind", "ConfigMap"},
                           {"metadata", {{"name", name}, {"namespace", ns}}},
                           {"binaryData", binary}};
  auto r = client.Create(kube::resources::kConfigMaps, ns, cm);
  return r.ok() ? Status::Ok() : r.error().ToStatus();
}

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot open " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace limen::reconcilers::testing

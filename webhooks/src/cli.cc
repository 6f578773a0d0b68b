#include "limen/webhook/cli.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "limen/api/codec.h"
#include "limen/api/duration.h"
#include "limen/api/resilience_policy.h"
#include "limen/api/wasm_filter.h"
#include "limen/api/well_known.h"
#include "limen/webhook/certs.h"
#include "limen/webhook/planner.h"
#include "limen/webhook/yaml.h"

namespace limen::webhook {
namespace {

struct PlanArgs {
  std::string pod_file;
  std::vector<std::string> policy_files;
  std::vector<std::string> filter_files;
  std::string policies_dir;
  std::string ns;
  std::string namespace_labels;
  bool namespace_labels_set = false;
  std::string config_file;
  std::string sidecar_image;
  bool older_cluster = false;
  std::string output = "patch";
};

Status ParsePlanArgs(const std::vector<std::string>& args, bool inject_style, PlanArgs& out) {
  if (inject_style) out.output = "pod";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&](std::string& into) -> Status {
      if (i + 1 >= args.size()) return Status::InvalidArgument(a + " needs a value");
      into = args[++i];
      return Status::Ok();
    };
    std::string v;
    if (a == "--pod" || a == "-f") {
      LIMEN_RETURN_IF_ERROR(value(out.pod_file));
    } else if (a == "--policy") {
      LIMEN_RETURN_IF_ERROR(value(v));
      out.policy_files.push_back(v);
    } else if (a == "--wasmfilter") {
      LIMEN_RETURN_IF_ERROR(value(v));
      out.filter_files.push_back(v);
    } else if (a == "--policies") {
      LIMEN_RETURN_IF_ERROR(value(out.policies_dir));
    } else if (a == "--namespace" || a == "-n") {
      LIMEN_RETURN_IF_ERROR(value(out.ns));
    } else if (a == "--namespace-labels") {
      LIMEN_RETURN_IF_ERROR(value(out.namespace_labels));
      out.namespace_labels_set = true;
    } else if (a == "--config") {
      LIMEN_RETURN_IF_ERROR(value(out.config_file));
    } else if (a == "--sidecar-image") {
      LIMEN_RETURN_IF_ERROR(value(out.sidecar_image));
    } else if (a == "--older-cluster") {
      out.older_cluster = true;
    } else if (a == "--output" || a == "-o") {
      LIMEN_RETURN_IF_ERROR(value(out.output));
      if (out.output != "patch" && out.output != "pod" && out.output != "decision") {
        return Status::InvalidArgument("--output must be patch, pod or decision");
      }
    } else {
      return Status::InvalidArgument("unknown argument " + a);
    }
  }
  if (out.pod_file.empty()) return Status::InvalidArgument("--pod (or -f) is required");
  return Status::Ok();
}

StatusOr<std::map<std::string, std::string>> ParseLabels(const std::string& text) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma - start);
    if (!item.empty()) {
      const size_t eq = item.find('=');
      if (eq == std::string::npos || eq == 0) {
        return Status::InvalidArgument("--namespace-labels: \"" + item + "\" is not k=v");
      }
      out[item.substr(0, eq)] = item.substr(eq + 1);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Status AddObjects(const std::string& file, PlanInput& in) {
  LIMEN_ASSIGN_OR_RETURN(auto docs, LoadYamlFile(file));
  for (const auto& doc : docs) {
    const std::string kind = doc.is_object() ? doc.value("kind", "") : "";
    if (kind == api::kKindResiliencePolicy) {
      auto p = api::Decode<api::ResiliencePolicy>(doc);
      if (!p.ok()) return p.status().WithContext(file);
      if (p->status.rendered_config.hash.empty()) p->status.rendered_config.hash = "offline";
      in.policies.push_back(std::move(p).value());
    } else if (kind == api::kKindWasmFilter) {
      auto f = api::Decode<api::WasmFilter>(doc);
      if (!f.ok()) return f.status().WithContext(file);
      in.filters.push_back(std::move(f).value());
    }
  }
  return Status::Ok();
}

Status BuildInput(const PlanArgs& args, Json& pod, InjectorConfig& config, PlanInput& in) {
  if (!args.config_file.empty()) LIMEN_RETURN_IF_ERROR(LoadConfigFile(args.config_file, config));
  if (!args.sidecar_image.empty()) config.sidecar_image = args.sidecar_image;
  if (config.sidecar_image.empty()) config.sidecar_image = kDryRunImage;
  if (args.older_cluster) config.native_sidecar = false;
  LIMEN_RETURN_IF_ERROR(Validate(config));
  LIMEN_ASSIGN_OR_RETURN(auto pods, LoadYamlFile(args.pod_file));
  if (pods.size() != 1) return Status::InvalidArgument(args.pod_file + ": want one Pod document");
  pod = pods[0];
  for (const auto& f : args.policy_files) LIMEN_RETURN_IF_ERROR(AddObjects(f, in));
  for (const auto& f : args.filter_files) LIMEN_RETURN_IF_ERROR(AddObjects(f, in));
  if (!args.policies_dir.empty()) {
    std::error_code ec;
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(args.policies_dir, ec)) {
      const auto ext = e.path().extension();
      if (ext == ".yaml" || ext == ".yml" || ext == ".json") files.push_back(e.path().string());
    }
    if (ec) return Status::NotFound(args.policies_dir + ": " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) LIMEN_RETURN_IF_ERROR(AddObjects(f, in));
  }
  in.ns = args.ns;
  if (in.ns.empty() && pod.is_object() && pod.contains("metadata") && pod["metadata"].is_object())
    in.ns = pod["metadata"].value("namespace", "");
  if (in.ns.empty() && !in.policies.empty()) in.ns = in.policies.front().metadata.namespace_;
  if (in.ns.empty()) in.ns = "default";
  if (args.namespace_labels_set) {
    LIMEN_ASSIGN_OR_RETURN(in.namespace_labels, ParseLabels(args.namespace_labels));
  }
  return Status::Ok();
}

Status ParseSeconds(const std::string& flag, const std::string& text, std::chrono::seconds& out) {
  auto d = api::ParseDuration(text);
  if (!d.ok()) return d.status().WithContext(flag);
  if (*d < std::chrono::seconds(1) || *d % std::chrono::seconds(1) != std::chrono::nanoseconds(0)) {
    return Status::InvalidArgument(flag + ": \"" + text +
                                   "\" must be a positive whole number of seconds");
  }
  out = std::chrono::duration_cast<std::chrono::seconds>(*d);
  return Status::Ok();
}

}  // namespace

StatusOr<bool> ParseCertManagerFlag(const std::vector<std::string>& args, size_t& i,
                                    CertManagerFlags& f) {
  const std::string& a = args[i];
  static const char* const kWithValue[] = {"--cert-secret",
                                           "--webhook-config",
                                           "--mutating-webhook-config",
                                           "--validating-webhook-config",
                                           "--cert-dns",
                                           "--cert-ip",
                                           "--ca-validity",
                                           "--ca-renew-before",
                                           "--cert-validity",
                                           "--renew-before",
                                           "--ca-propagation-delay",
                                           "--cert-sync-interval"};
  if (std::find(std::begin(kWithValue), std::end(kWithValue), a) == std::end(kWithValue)) {
    return false;
  }
  if (i + 1 >= args.size()) return Status::InvalidArgument(a + " needs a value");
  const std::string v = args[++i];
  CertPolicy& p = f.policy;
  if (a == "--cert-secret") {
    const size_t slash = v.find('/');
    if (slash == std::string::npos) {
      const char* ns = std::getenv("POD_NAMESPACE");
      f.secret_namespace = ns != nullptr && *ns != 0 ? ns : std::string(api::kLimenNamespace);
      f.secret_name = v;
    } else {
      f.secret_namespace = v.substr(0, slash);
      f.secret_name = v.substr(slash + 1);
    }
    if (f.secret_namespace.empty() || f.secret_name.empty() ||
        f.secret_name.find('/') != std::string::npos) {
      return Status::InvalidArgument("--cert-secret: \"" + v + "\" is not NAMESPACE/NAME");
    }
  } else if (a == "--webhook-config") {
    f.mutating_webhook_configuration = f.validating_webhook_configuration = v;
  } else if (a == "--mutating-webhook-config") {
    f.mutating_webhook_configuration = v;
  } else if (a == "--validating-webhook-config") {
    f.validating_webhook_configuration = v;
  } else if (a == "--cert-dns") {
    p.dns_names.push_back(v);
  } else if (a == "--cert-ip") {
    p.ip_addresses.push_back(v);
  } else if (a == "--ca-validity") {
    LIMEN_RETURN_IF_ERROR(ParseSeconds(a, v, p.ca_validity));
  } else if (a == "--ca-renew-before") {
    LIMEN_RETURN_IF_ERROR(ParseSeconds(a, v, p.ca_renew_before));
  } else if (a == "--cert-validity") {
    LIMEN_RETURN_IF_ERROR(ParseSeconds(a, v, p.cert_validity));
  } else if (a == "--renew-before") {
    LIMEN_RETURN_IF_ERROR(ParseSeconds(a, v, p.renew_before));
  } else if (a == "--ca-propagation-delay") {
    auto d = api::ParseDuration(v);
    if (!d.ok() || d->count() < 0) {
      return Status::InvalidArgument(a + ": \"" + v + "\" is not a duration >= 0");
    }
    p.propagation_delay = std::chrono::duration_cast<std::chrono::seconds>(*d);
  } else if (a == "--cert-sync-interval") {
    auto d = api::ParseDuration(v);
    if (!d.ok() || *d < std::chrono::milliseconds(100)) {
      return Status::InvalidArgument(a + ": \"" + v + "\" is not a duration >= 100ms");
    }
    f.sync_interval = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
  }
  return true;
}

Status ValidateCertManagerFlags(CertManagerFlags& f) {
  if (!f.enabled()) {
    if (!f.policy.dns_names.empty() || !f.policy.ip_addresses.empty() ||
        !f.mutating_webhook_configuration.empty() || !f.validating_webhook_configuration.empty()) {
      return Status::InvalidArgument(
          "--cert-dns/--cert-ip/--webhook-config need --cert-secret (certificate management)");
    }
    return Status::Ok();
  }
  LIMEN_RETURN_IF_ERROR(ValidatePolicy(f.policy));
  if (f.sync_interval >= f.policy.renew_before) {
    return Status::InvalidArgument(
        "--cert-sync-interval must be shorter than --renew-before: a replica must see a "
        "renewed certificate before its own one expires");
  }
  return Status::Ok();
}

Status LoadConfigFile(const std::string& path, InjectorConfig& config) {
  LIMEN_ASSIGN_OR_RETURN(auto docs, LoadYamlFile(path));
  if (docs.size() != 1 || !docs[0].is_object()) {
    return Status::InvalidArgument(path + ": want one YAML object");
  }
  const Json& doc = docs[0];
  // Either the injector keys at top level or under `injector:` (the chart's layout).
  const Json& section = doc.contains("injector") ? doc["injector"] : doc;
  return ApplyConfigJson(section, config).WithContext(path);
}

int RunPlanCommand(const std::vector<std::string>& argv, bool inject_style, std::ostream& out,
                   std::ostream& err) {
  PlanArgs args;
  if (Status s = ParsePlanArgs(argv, inject_style, args); !s.ok()) {
    err << "error: " << s.message() << "\n";
    return 2;
  }
  Json pod;
  InjectorConfig config;
  PlanInput in;
  if (Status s = BuildInput(args, pod, config, in); !s.ok()) {
    err << "error: " << s.message() << "\n";
    return 1;
  }
  in.pod = &pod;
  in.config = &config;
  const Plan plan = PlanInjection(in);
  for (const auto& w : plan.warnings) err << "warning: " << w << "\n";
  err << "decision: " << plan.decision.ToJson().dump() << "\n";
  if (args.output == "patch") {
    out << plan.patch.dump(2) << "\n";
  } else if (args.output == "decision") {
    out << plan.decision.ToJson().dump(2) << "\n";
  } else {
    try {
      out << pod.patch(plan.patch).dump(2) << "\n";
    } catch (const std::exception& e) {
      err << "error: the patch does not apply (a bug): " << e.what() << "\n";
      return 1;
    }
  }
  return 0;
}

int RunCertsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string dir;
  std::vector<std::string> ips, dns;
  bool reuse_ca = false;
  int64_t days = 365;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const bool has_value = i + 1 < args.size();
    if (a == "--out" && has_value) {
      dir = args[++i];
    } else if (a == "--ip" && has_value) {
      ips.push_back(args[++i]);
    } else if (a == "--dns" && has_value) {
      dns.push_back(args[++i]);
    } else if (a == "--days" && has_value) {
      days = std::atoll(args[++i].c_str());
    } else if (a == "--reuse-ca") {
      reuse_ca = true;
    } else {
      err << "error: unknown or incomplete argument " << a << "\n";
      return 2;
    }
  }
  if (dir.empty() || days <= 0 || (ips.empty() && dns.empty())) {
    err << "usage: limen-webhook certs --out DIR (--ip IP | --dns NAME)... [--reuse-ca] [--days "
           "N]\n";
    return 2;
  }
  const auto now = std::chrono::system_clock::now();
  const std::chrono::seconds validity(days * 86400);
  auto read = [](const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  auto write = [&](const std::string& name, const std::string& data) {
    std::ofstream o(dir + "/" + name + ".tmp", std::ios::trunc);
    o << data;
    o.close();
    std::filesystem::rename(dir + "/" + name + ".tmp", dir + "/" + name);
  };
  std::filesystem::create_directories(dir);
  KeyPair ca;
  if (reuse_ca && std::filesystem::exists(dir + "/ca.key")) {
    ca = {read(dir + "/ca.crt"), read(dir + "/ca.key")};
  } else {
    auto generated = GenerateCa("limen-webhook-ca", validity * 2, now);
    if (!generated.ok()) {
      err << "error: " << generated.status().message() << "\n";
      return 1;
    }
    ca = *generated;
    write("ca.key", ca.key_pem);
    write("ca.crt", ca.cert_pem);
  }
  auto serving = IssueServingCert(ca, "limen-webhook", dns, ips, validity, now);
  if (!serving.ok()) {
    err << "error: " << serving.status().message() << "\n";
    return 1;
  }
  write("tls.key", serving->key_pem);
  write("tls.crt", serving->cert_pem);
  out << dir << "/tls.crt\n";
  return 0;
}

}  // namespace limen::webhook

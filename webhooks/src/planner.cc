#include "limen/webhook/planner.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <set>
#include <utility>

#include "limen/api/conditions.h"
#include "limen/api/well_known.h"
#include "limen/envoy/render.h"
#include "limen/webhook/json_patch.h"

namespace limen::webhook {
namespace {

using Labels = std::map<std::string, std::string>;

// The Envoy log levels (the CRD's enum of spec.sidecar.logLevel).
bool IsLogLevel(const std::string& level) {
  static const auto* levels =
      new std::set<std::string>{"trace", "debug", "info", "warning", "error", "critical", "off"};
  return levels->count(level) > 0;
}

const Json& Field(const Json& obj, const char* key) {
  static const Json kNull;
  if (!obj.is_object()) return kNull;
  const auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::string StringField(const Json& obj, const char* key) {
  const Json& v = Field(obj, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}

// Labels/annotations read leniently: non-string values cannot come from a valid Pod and are
// ignored rather than trusted.
Labels StringMap(const Json& obj, const char* key) {
  Labels out;
  const Json& m = Field(obj, key);
  if (!m.is_object()) return out;
  for (const auto& [k, v] : m.items()) {
    if (v.is_string()) out.emplace(k, v.get<std::string>());
  }
  return out;
}

bool HasNamedItem(const Json& array, std::string_view name) {
  if (!array.is_array()) return false;
  for (const auto& item : array) {
    if (StringField(item, "name") == name) return true;
  }
  return false;
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// A WasmFilter chosen for mounting.
struct Module {
  const api::WasmFilter* filter;
  std::string volume;
  std::string dir;  // the directory of envoy::WasmModulePath(name)
};

struct Context {
  const PlanInput& in;
  const InjectorConfig& config;
  const Json& metadata;
  const Json& spec;
  std::string ns;
  Labels labels;
  Labels annotations;
  Plan plan;
  PatchBuilder patch;
};

// Sets annotations whose value differs and removes present ones. One "add" per key when the
// map exists ("add" replaces an existing member); the whole map at once when it is absent or
// null (a Pod may have no annotations at all).
void AnnotationOps(Context& c, const Labels& set, const std::vector<std::string_view>& remove) {
  Labels changes;
  for (const auto& [k, v] : set) {
    const auto it = c.annotations.find(k);
    if (it == c.annotations.end() || it->second != v) changes.emplace(k, v);
  }
  if (!c.metadata.is_object()) {
    if (!changes.empty()) c.patch.Add("/metadata", Json{{"annotations", changes}});
    return;
  }
  const Json& existing = Field(c.metadata, "annotations");
  if (!existing.is_object()) {
    if (!changes.empty()) c.patch.Add("/metadata/annotations", Json(changes));
    return;
  }
  for (const auto& [k, v] : changes) {
    c.patch.Add("/metadata/annotations/" + EscapePointerToken(k), v);
  }
  for (std::string_view k : remove) {
    if (existing.contains(std::string(k))) {
      c.patch.Remove("/metadata/annotations/" + EscapePointerToken(k));
    }
  }
}

Plan Finish(Context& c) {
  c.plan.patch = c.patch.Take();
  return std::move(c.plan);
}

Plan Untouched(Context& c, Reason reason, std::string message) {
  c.plan.decision.reason = reason;
  c.plan.decision.message = std::move(message);
  return Finish(c);
}

// A skipped Pod says why in limen.dev/injection-status, and loses a limen.dev/injected it
// did not get from us (a tenant must not make a Pod look injected to the operator).
Plan Skip(Context& c, Reason reason, std::string message) {
  c.plan.decision.reason = reason;
  c.plan.decision.message = std::move(message);
  AnnotationOps(c,
                {{std::string(api::kAnnotationInjectionStatus),
                  "skipped: " + std::string(ReasonName(reason))}},
                {api::kAnnotationInjected});
  return Finish(c);
}

std::vector<Module> SelectModules(Context& c, const api::ResiliencePolicy& policy) {
  std::vector<Module> out;
  std::set<std::string> seen;
  for (size_t i = 0; i < policy.spec.wasm_filters.size(); ++i) {
    const std::string& name = policy.spec.wasm_filters[i].name;
    const std::string where = "spec.wasmFilters[" + std::to_string(i) + "] (" + name + ")";
    if (!seen.insert(name).second) continue;
    const api::WasmFilter* filter = nullptr;
    for (const auto& f : c.in.filters) {
      if (f.metadata.name == name &&
          (f.metadata.namespace_.empty() || f.metadata.namespace_ == c.ns))
        filter = &f;
    }
    if (filter == nullptr) {
      c.plan.warnings.push_back(where + ": WasmFilter not found in namespace " + c.ns +
                                "; left out");
      continue;
    }
    if (!IsValidated(*filter)) {
      c.plan.warnings.push_back(where + ": WasmFilter is not Validated; left out");
      continue;
    }
    const auto& source = filter->spec.wasm_source;
    if (source.image && !IsPinnedByDigest(source.image->reference)) {
      c.plan.warnings.push_back(where + ": image " + Quote(source.image->reference) +
                                " is not pinned by digest; left out");
      continue;
    }
    if (!source.image && !(source.config_map && !source.config_map->name.empty() &&
                           !source.config_map->key.empty())) {
      c.plan.warnings.push_back(where + ": WasmFilter has no usable source; left out");
      continue;
    }
    const std::string path = envoy::WasmModulePath(name);
    out.push_back({filter, WasmVolumeName(name), path.substr(0, path.rfind('/'))});
  }
  return out;
}

// A user's container, volume or mount that uses one of our names or paths: injecting would
// give an invalid (rejected) or subtly broken Pod, so the Pod is skipped instead.
std::optional<std::string> FindCollision(const Context& c, const std::vector<Module>& modules) {
  std::set<std::string> ours = {std::string(kSocketVolume), std::string(kConfigVolume)};
  for (const auto& m : modules) ours.insert(m.volume);
  const Json& volumes = Field(c.spec, "volumes");
  if (volumes.is_array()) {
    for (const auto& v : volumes) {
      const std::string name = StringField(v, "name");
      if (ours.count(name)) return "volume " + Quote(name) + " already exists";
    }
  }
  for (const char* list : {"initContainers", "containers"}) {
    const Json& containers = Field(c.spec, list);
    if (!containers.is_array()) continue;
    for (const auto& container : containers) {
      const Json& mounts = Field(container, "volumeMounts");
      if (!mounts.is_array()) continue;
      for (const auto& m : mounts) {
        if (StringField(m, "mountPath") == kSocketDir) {
          return "container " + Quote(StringField(container, "name")) +
                 " already mounts a volume at " + std::string(kSocketDir);
        }
      }
    }
  }
  return std::nullopt;
}

Json SidecarContainer(Context& c, const api::ResiliencePolicy& policy,
                      const std::vector<Module>& modules) {
  const InjectorConfig& cfg = c.config;
  std::string log_level = "info";
  int64_t concurrency = 1;
  if (const auto& s = policy.spec.sidecar) {
    if (s->log_level) {
      if (IsLogLevel(*s->log_level)) {
        log_level = *s->log_level;
      } else {
        c.plan.warnings.push_back("spec.sidecar.logLevel " + Quote(*s->log_level) +
                                  " is not a log level; using info");
      }
    }
    if (s->concurrency) {
      concurrency = std::clamp<int64_t>(*s->concurrency, 1, cfg.max_concurrency);
      if (concurrency != *s->concurrency) {
        c.plan.warnings.push_back("spec.sidecar.concurrency " + std::to_string(*s->concurrency) +
                                  " is outside 1.." + std::to_string(cfg.max_concurrency) +
                                  "; using " + std::to_string(concurrency));
      }
    }
    if (s->resources) {
      c.plan.warnings.push_back(
          "spec.sidecar.resources is ignored: sidecar resources come from the webhook config");
    }
  }
  Json requests = Json::object();
  Json limits = Json::object();
  if (!cfg.cpu_request.empty()) requests["cpu"] = cfg.cpu_request;
  if (!cfg.memory_request.empty()) requests["memory"] = cfg.memory_request;
  if (!cfg.cpu_limit.empty()) limits["cpu"] = cfg.cpu_limit;
  if (!cfg.memory_limit.empty()) limits["memory"] = cfg.memory_limit;
  Json resources = Json::object();
  if (!requests.empty()) resources["requests"] = requests;
  if (!limits.empty()) resources["limits"] = limits;

  Json mounts =
      Json::array({{{"name", kSocketVolume}, {"mountPath", kSocketDir}},
                   {{"name", kConfigVolume}, {"mountPath", kConfigDir}, {"readOnly", true}}});
  for (const auto& m : modules) {
    mounts.push_back({{"name", m.volume}, {"mountPath", m.dir}, {"readOnly", true}});
  }
  auto field_ref = [](const char* path) { return Json{{"fieldRef", {{"fieldPath", path}}}}; };
  Json sidecar = {
      {"name", cfg.sidecar_name},
      {"image", cfg.sidecar_image},
      {"imagePullPolicy", "IfNotPresent"},
      {"command", cfg.sidecar_command},
      {"args",
       {"-c", std::string(kConfigDir) + "/" + std::string(envoy::kConfigMapKey), "--log-level",
        log_level, "--concurrency", std::to_string(concurrency), "--disable-hot-restart"}},
      {"env",
       {{{"name", "POD_NAME"}, {"valueFrom", field_ref("metadata.name")}},
        {{"name", "POD_NAMESPACE"}, {"valueFrom", field_ref("metadata.namespace")}},
        {{"name", "LIMEN_POLICY"}, {"value", policy.metadata.name}},
        {{"name", kEnvSocket}, {"value", envoy::kOutboundSocketPath}}}},
      {"resources", resources},
      {"securityContext",
       {{"allowPrivilegeEscalation", false},
        {"privileged", false},
        {"readOnlyRootFilesystem", true},
        {"runAsNonRoot", true},
        {"runAsUser", cfg.run_as_user},
        {"runAsGroup", cfg.run_as_group},
        {"capabilities", {{"drop", Json::array({"ALL"})}}},
        {"seccompProfile", {{"type", "RuntimeDefault"}}}}},
      {"terminationMessagePolicy", "FallbackToLogsOnError"},
      {"volumeMounts", mounts},
  };
  if (cfg.native_sidecar) sidecar["restartPolicy"] = "Always";
  return sidecar;
}

Json ModuleVolume(const Module& m) {
  const auto& source = m.filter->spec.wasm_source;
  if (source.image) {
    return {{"name", m.volume},
            {"image",
             {{"reference", source.image->reference},
              {"pullPolicy", source.image->pull_policy.value_or("IfNotPresent")}}}};
  }
  return {
      {"name", m.volume},
      {"configMap",
       {{"name", source.config_map->name},
        {"items", Json::array({Json{{"key", source.config_map->key}, {"path", "module.wasm"}}})}}}};
}

// Appends `items` to the array at `path`: one "add" of the whole array when it is absent or
// null, else one "add .../-" per item.
void AppendAll(PatchBuilder& patch, const Json& existing, const std::string& path,
               const Json& items) {
  if (items.empty()) return;
  if (!existing.is_array()) {
    patch.Add(path, items);
    return;
  }
  for (const auto& item : items) patch.Add(path + "/-", item);
}

void AppContainerOps(Context& c) {
  const Json& containers = Field(c.spec, "containers");
  const Json wanted = {{{"name", kEnvSocket}, {"value", envoy::kOutboundSocketPath}},
                       {{"name", kEnvLocator}, {"value", c.config.locator}}};
  for (size_t i = 0; i < containers.size(); ++i) {
    const Json& container = containers[i];
    const std::string base = "/spec/containers/" + std::to_string(i);
    const Json& env = Field(container, "env");
    Json add = Json::array();
    for (const auto& var : wanted) {
      const std::string name = var["name"].get<std::string>();
      bool present = false;
      if (env.is_array()) {
        for (const auto& e : env) {
          if (StringField(e, "name") != name) continue;
          present = true;
          if (!(Field(e, "value") == var["value"])) {
            c.plan.warnings.push_back("container " + Quote(StringField(container, "name")) +
                                      " sets " + name + " itself; kept");
          }
        }
      }
      if (!present) add.push_back(var);
    }
    AppendAll(c.patch, env, base + "/env", add);
    // Read-only: the app only connects to the sidecar's socket (connect() on a socket inode
    // is not refused by a read-only mount) and cannot replace it.
    AppendAll(
        c.patch, Field(container, "volumeMounts"), base + "/volumeMounts",
        Json::array({{{"name", kSocketVolume}, {"mountPath", kSocketDir}, {"readOnly", true}}}));
  }
}

Plan Inject(Context& c, const api::ResiliencePolicy& policy, const std::vector<Module>& modules) {
  Json volumes =
      Json::array({{{"name", kSocketVolume}, {"emptyDir", Json::object()}},
                   {{"name", kConfigVolume},
                    {"configMap", {{"name", api::SidecarConfigMapName(policy.metadata.name)}}}}});
  for (const auto& m : modules) {
    volumes.push_back(ModuleVolume(m));
    c.plan.decision.wasm_filters.push_back(m.filter->metadata.name);
  }
  AppendAll(c.patch, Field(c.spec, "volumes"), "/spec/volumes", volumes);
  AppContainerOps(c);
  Json sidecar = SidecarContainer(c, policy, modules);
  if (c.config.native_sidecar) {
    // First, so it runs before the Pod's other init containers, which may use the socket.
    const Json& init = Field(c.spec, "initContainers");
    if (init.is_array() && !init.empty()) {
      c.patch.Add("/spec/initContainers/0", std::move(sidecar));
    } else {
      c.patch.Add("/spec/initContainers", Json::array({std::move(sidecar)}));
    }
  } else {
    c.patch.Add("/spec/containers/-", std::move(sidecar));
  }
  AnnotationOps(c,
                {{std::string(api::kAnnotationInjected),
                  policy.metadata.name + "@" + policy.status.rendered_config.hash},
                 {std::string(api::kAnnotationInjectionStatus), std::string(kStatusInjected)}},
                {});
  c.plan.decision.reason = Reason::kInjected;
  c.plan.decision.message = "sidecar injected for ResiliencePolicy " + policy.metadata.name;
  return Finish(c);
}

}  // namespace

std::string_view ReasonName(Reason reason) {
  switch (reason) {
    case Reason::kInjected: return "Injected";
    case Reason::kInvalidPod: return "InvalidPod";
    case Reason::kProtectedNamespace: return "ProtectedNamespace";
    case Reason::kNamespaceNotEnabled: return "NamespaceNotEnabled";
    case Reason::kOptedOut: return "OptedOut";
    case Reason::kAlreadyInjected: return "AlreadyInjected";
    case Reason::kNameCollision: return "NameCollision";
    case Reason::kHostNetwork: return "HostNetwork";
    case Reason::kNoPolicy: return "NoPolicy";
    case Reason::kPolicyNotRendered: return "PolicyNotRendered";
  }
  return "Unknown";
}

const std::vector<Reason>& AllReasons() {
  static const auto* all =
      new std::vector<Reason>{Reason::kInjected,           Reason::kInvalidPod,
                              Reason::kProtectedNamespace, Reason::kNamespaceNotEnabled,
                              Reason::kOptedOut,           Reason::kAlreadyInjected,
                              Reason::kNameCollision,      Reason::kHostNetwork,
                              Reason::kNoPolicy,           Reason::kPolicyNotRendered};
  return *all;
}

bool Decision::untouched() const {
  switch (reason) {
    case Reason::kInvalidPod:
    case Reason::kProtectedNamespace:
    case Reason::kNamespaceNotEnabled:
    case Reason::kOptedOut:
    case Reason::kAlreadyInjected: return true;
    default: return false;
  }
}

Json Decision::ToJson() const {
  Json j = {{"result", injected() ? "injected" : (untouched() ? "untouched" : "skipped")},
            {"reason", ReasonName(reason)},
            {"message", message}};
  if (!policy.empty()) j["policy"] = policy;
  if (!hash.empty()) j["hash"] = hash;
  if (!wasm_filters.empty()) j["wasmFilters"] = wasm_filters;
  return j;
}

std::vector<const api::ResiliencePolicy*> MatchingPolicies(
    const std::vector<api::ResiliencePolicy>& policies, const std::string& ns,
    const std::map<std::string, std::string>& pod_labels) {
  std::vector<const api::ResiliencePolicy*> out;
  for (const auto& p : policies) {
    if (!p.metadata.namespace_.empty() && p.metadata.namespace_ != ns) continue;
    if (p.spec.selector && p.spec.selector->Matches(pod_labels)) out.push_back(&p);
  }
  std::sort(out.begin(), out.end(),
            [](const auto* a, const auto* b) { return a->metadata.name < b->metadata.name; });
  return out;
}

bool IsValidated(const api::WasmFilter& filter) {
  const api::Condition* cond =
      api::FindStatusCondition(filter.status.conditions, api::kConditionValidated);
  if (cond == nullptr || cond->status != "True") return false;
  // A condition about an older spec says nothing about the current one.
  if (cond->observed_generation != 0 && filter.metadata.generation != 0 &&
      cond->observed_generation != filter.metadata.generation) {
    return false;
  }
  // A pinned module (spec.sha256) must be the one validated; an unpinned one is whatever the
  // operator validated (status.sha256 records it).
  if (!filter.spec.sha256.empty() && !filter.status.sha256.empty() &&
      filter.status.sha256 != filter.spec.sha256) {
    return false;
  }
  return true;
}

std::string WasmVolumeName(std::string_view filter_name) {
  constexpr size_t kMaxLabel = 63;
  std::string name = "limen-wasm-" + std::string(filter_name);
  std::replace(name.begin(), name.end(), '.', '-');
  if (name.size() <= kMaxLabel) return name;
  uint32_t h = 2166136261u;  // FNV-1a of the full name keeps distinct long names distinct
  for (char ch : filter_name) {
    h ^= static_cast<uint8_t>(ch);
    h *= 16777619u;
  }
  char suffix[10];
  std::snprintf(suffix, sizeof suffix, "-%08x", h);
  name.resize(kMaxLabel - 9);
  while (!name.empty() && name.back() == '-') name.pop_back();
  return name + suffix;
}

Plan PlanInjection(const PlanInput& in) {
  const Json& pod = *in.pod;
  Context c{in, *in.config, Field(pod, "metadata"), Field(pod, "spec"), in.ns, {}, {}, {}, {}};
  const Json& containers = Field(c.spec, "containers");
  if (!pod.is_object() || !containers.is_array() || containers.empty()) {
    return Untouched(c, Reason::kInvalidPod, "not a Pod with spec.containers");
  }
  for (const auto& container : containers) {
    if (!container.is_object()) {
      return Untouched(c, Reason::kInvalidPod, "spec.containers holds a non-object");
    }
  }
  c.labels = StringMap(c.metadata, "labels");
  c.annotations = StringMap(c.metadata, "annotations");
  if (c.ns.empty()) c.ns = StringField(c.metadata, "namespace");

  if (c.ns == "kube-system" || c.ns == "kube-node-lease" || c.ns == c.config.limen_namespace) {
    return Untouched(c, Reason::kProtectedNamespace, "namespace " + c.ns + " is never injected");
  }
  if (in.namespace_labels) {
    const auto it = in.namespace_labels->find(std::string(api::kLabelInjection));
    if (it == in.namespace_labels->end() || it->second != api::kInjectionEnabled) {
      return Untouched(c, Reason::kNamespaceNotEnabled,
                       "namespace " + c.ns + " is not labelled " +
                           std::string(api::kLabelInjection) + "=" +
                           std::string(api::kInjectionEnabled));
    }
  }
  if (const auto it = c.labels.find(std::string(api::kLabelInject));
      it != c.labels.end() && it->second == api::kInjectDisabled) {
    return Untouched(c, Reason::kOptedOut, "pod is labelled limen.dev/inject=false");
  }
  const Json& spec = c.spec;
  if (HasNamedItem(Field(spec, "initContainers"), c.config.sidecar_name) ||
      HasNamedItem(containers, c.config.sidecar_name)) {
    if (c.annotations.count(std::string(api::kAnnotationInjected))) {
      return Untouched(c, Reason::kAlreadyInjected, "the sidecar is already present");
    }
    return Skip(c, Reason::kNameCollision,
                "a container named " + Quote(c.config.sidecar_name) + " already exists");
  }
  if (Field(spec, "hostNetwork") == Json(true)) {
    return Skip(c, Reason::kHostNetwork, "pod uses the host network");
  }
  const auto matching = MatchingPolicies(in.policies, c.ns, c.labels);
  if (matching.empty()) {
    return Skip(c, Reason::kNoPolicy, "no ResiliencePolicy of namespace " + c.ns + " selects it");
  }
  const api::ResiliencePolicy& policy = *matching.front();
  for (size_t i = 1; i < matching.size(); ++i) {
    c.plan.warnings.push_back("ResiliencePolicy " + matching[i]->metadata.name +
                              " also selects this pod; using " + policy.metadata.name);
  }
  c.plan.decision.policy = policy.metadata.name;
  c.plan.decision.hash = policy.status.rendered_config.hash;
  if (policy.status.rendered_config.hash.empty()) {
    return Skip(
        c, Reason::kPolicyNotRendered,
        "ResiliencePolicy " + policy.metadata.name + " has no status.renderedConfig.hash yet");
  }
  const std::vector<Module> modules = SelectModules(c, policy);
  if (auto collision = FindCollision(c, modules)) {
    return Skip(c, Reason::kNameCollision, *collision);
  }
  return Inject(c, policy, modules);
}

}  // namespace limen::webhook

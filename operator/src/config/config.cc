#include "config/config.h"

#include <charconv>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "limen/api/duration.h"
#include "limen/api/quantity.h"

namespace limen::op {
namespace {

Status Err(const std::string& where, const std::string& what) {
  return Status::InvalidArgument(where + ": " + what);
}

StatusOr<int64_t> ParseInt(std::string_view s, const std::string& where) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    return Err(where, "not an integer: \"" + std::string(s) + "\"");
  return v;
}

StatusOr<bool> ParseBool(std::string_view s, const std::string& where) {
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  return Err(where, "not a boolean (true or false): \"" + std::string(s) + "\"");
}

StatusOr<std::chrono::nanoseconds> ParseDur(std::string_view s, const std::string& where) {
  auto d = api::ParseDuration(s);
  if (!d.ok()) return Err(where, d.status().message());
  if (d->count() <= 0) return Err(where, "must be positive");
  return *d;
}

// Reads one scalar key of a map node into `out` with `parse`; absent keys leave it as is.
template <class T, class Parse>
Status Scalar(const YAML::Node& map, const char* key, const std::string& where, T& out,
              Parse parse) {
  const YAML::Node n = map[key];
  if (!n) return Status::Ok();
  const std::string at = where + key;
  if (!n.IsScalar()) return Err(at, "expected a scalar");
  auto v = parse(n.Scalar(), at);
  if (!v.ok()) return v.status();
  out = static_cast<T>(*v);
  return Status::Ok();
}

StatusOr<std::string> AsString(std::string_view s, const std::string&) { return std::string(s); }
StatusOr<std::chrono::milliseconds> AsMillis(std::string_view s, const std::string& where) {
  LIMEN_ASSIGN_OR_RETURN(auto d, ParseDur(s, where));
  return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}
StatusOr<double> AsDouble(std::string_view s, const std::string& where) {
  try {
    size_t used = 0;
    double v = std::stod(std::string(s), &used);
    if (used != s.size()) return Err(where, "not a number: \"" + std::string(s) + "\"");
    return v;
  } catch (const std::exception&) {
    return Err(where, "not a number: \"" + std::string(s) + "\"");
  }
}

// An integer that fits an int (ports, thresholds), so a cast cannot wrap it into range.
StatusOr<int64_t> AsInt(std::string_view s, const std::string& where) {
  LIMEN_ASSIGN_OR_RETURN(int64_t v, ParseInt(s, where));
  if (v < INT32_MIN || v > INT32_MAX) return Err(where, "out of range: " + std::string(s));
  return v;
}

StatusOr<int64_t> AsQuantity(std::string_view s, const std::string& where) {
  auto q = api::ParseQuantity(s);
  if (!q.ok()) return Err(where, q.status().message());
  auto v = q->Value();
  if (!v.ok()) return Err(where, v.status().message());
  if (*v <= 0) return Err(where, "must be positive");
  return *v;
}

// "8080,9090" (flags) → ports; range checks are Validate's.
StatusOr<std::vector<int>> ParsePortList(std::string_view s, const std::string& where) {
  std::vector<int> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t comma = s.find(',', start);
    if (comma == std::string_view::npos) comma = s.size();
    LIMEN_ASSIGN_OR_RETURN(int64_t port, AsInt(s.substr(start, comma - start), where));
    out.push_back(static_cast<int>(port));
    start = comma + 1;
  }
  return out;
}

// A YAML sequence of scalars, each parsed with `parse`; absent keys leave `out` as is.
template <class T, class Parse>
Status Sequence(const YAML::Node& map, const char* key, const std::string& where,
                std::vector<T>& out, Parse parse) {
  const YAML::Node n = map[key];
  if (!n) return Status::Ok();
  const std::string at = where + key;
  if (!n.IsSequence()) return Err(at, "expected a list");
  std::vector<T> values;
  for (size_t i = 0; i < n.size(); ++i) {
    const std::string item = at + "[" + std::to_string(i) + "]";
    if (!n[i].IsScalar()) return Err(item, "expected a scalar");
    auto v = parse(n[i].Scalar(), item);
    if (!v.ok()) return v.status();
    values.push_back(static_cast<T>(*v));
  }
  out = std::move(values);
  return Status::Ok();
}

StatusOr<int64_t> AsWholeSeconds(std::string_view s, const std::string& where) {
  LIMEN_ASSIGN_OR_RETURN(auto d, ParseDur(s, where));
  if (d.count() % 1'000'000'000 != 0) return Err(where, "must be a whole number of seconds");
  return d.count() / 1'000'000'000;
}

StatusOr<int64_t> AsWholeMillis(std::string_view s, const std::string& where) {
  LIMEN_ASSIGN_OR_RETURN(auto d, ParseDur(s, where));
  if (d.count() % 1'000'000 != 0) return Err(where, "must be a whole number of milliseconds");
  return d.count() / 1'000'000;
}

Status CheckKeys(const YAML::Node& map, const std::set<std::string>& known,
                 const std::string& where) {
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    if (!known.count(key)) return Err(where + key, "unknown key");
  }
  return Status::Ok();
}

// The map under `key`, or a null node when absent; error when it is not a map.
StatusOr<YAML::Node> SubMap(const YAML::Node& parent, const char* key, const std::string& where) {
  YAML::Node n = parent[key];
  if (!n) return YAML::Node();
  if (!n.IsMap()) return Err(where + key, "expected a map");
  return n;
}

Status ParseWasmFilter(const YAML::Node& n, const std::string& w,
                       reconcilers::wasmfilter::Config& c) {
  LIMEN_RETURN_IF_ERROR(CheckKeys(n, {"allowImageTags", "maxModuleSize", "wasiImportModules"}, w));
  LIMEN_RETURN_IF_ERROR(Scalar(n, "allowImageTags", w, c.allow_image_tags, ParseBool));
  LIMEN_RETURN_IF_ERROR(Scalar(n, "maxModuleSize", w, c.max_module_size, AsQuantity));
  return Sequence(n, "wasiImportModules", w, c.wasi_import_modules, AsString);
}

Status ParseEnvoy(const YAML::Node& n, const std::string& w, envoy::RenderConfig& c) {
  LIMEN_RETURN_IF_ERROR(
      CheckKeys(n,
                {"adminPort", "statsPort", "statsPath", "inboundPort", "connectTimeout",
                 "healthCheckInterval", "unhealthyThreshold", "healthyThreshold", "maxConnections",
                 "maxPendingRequests", "maxRequests", "maxRetries"},
                w));
  LIMEN_RETURN_IF_ERROR(Scalar(n, "adminPort", w, c.admin_port, AsInt));
  LIMEN_RETURN_IF_ERROR(Scalar(n, "statsPort", w, c.stats_port, AsInt));
  LIMEN_RETURN_IF_ERROR(Scalar(n, "statsPath", w, c.stats_path, AsString));
  LIMEN_RETURN_IF_ERROR(Scalar(n, "inboundPort", w, c.inbound_port, AsInt));
  LIMEN_RETURN_IF_ERROR(Scalar(n, "connectTimeout", w, c.connect_timeout_millis, AsWholeMillis));
  LIMEN_RETURN_IF_ERROR(
      Scalar(n, "healthCheckInterval", w, c.health_check_interval_seconds, AsWholeSeconds));
  LIMEN_RETURN_IF_ERROR(Scalar(n, "unhealthyThreshold", w, c.unhealthy_threshold, AsInt));
  LIMEN_RETURN_IF_ERROR(Scalar(n, "healthyThreshold", w, c.healthy_threshold, AsInt));
  LIMEN_RETURN_IF_ERROR(Scalar(n, "maxConnections", w, c.max_connections, AsInt));
  LIMEN_RETURN_IF_ERROR(Scalar(n, "maxPendingRequests", w, c.max_pending_requests, AsInt));
  LIMEN_RETURN_IF_ERROR(Scalar(n, "maxRequests", w, c.max_requests, AsInt));
  return Scalar(n, "maxRetries", w, c.max_retries, AsInt);
}

Status ParseReconcilers(const YAML::Node& r, const std::string& w, OperatorConfig& c) {
  LIMEN_RETURN_IF_ERROR(CheckKeys(r, {"wasmFilter", "resiliencePolicy"}, w));
  LIMEN_ASSIGN_OR_RETURN(YAML::Node wasm, SubMap(r, "wasmFilter", w));
  if (wasm) LIMEN_RETURN_IF_ERROR(ParseWasmFilter(wasm, w + "wasmFilter.", c.wasm_filter));
  LIMEN_ASSIGN_OR_RETURN(YAML::Node rp, SubMap(r, "resiliencePolicy", w));
  if (!rp) return Status::Ok();
  const std::string rw = w + "resiliencePolicy.";
  LIMEN_RETURN_IF_ERROR(CheckKeys(rp, {"appPorts", "envoy"}, rw));
  LIMEN_RETURN_IF_ERROR(Sequence(rp, "appPorts", rw, c.app_ports, AsInt));
  LIMEN_ASSIGN_OR_RETURN(YAML::Node e, SubMap(rp, "envoy", rw));
  if (e) LIMEN_RETURN_IF_ERROR(ParseEnvoy(e, rw + "envoy.", c.envoy));
  return Status::Ok();
}

Status ParseRoot(const YAML::Node& root, const std::string& file, OperatorConfig& c) {
  const std::string w = file + ": ";
  LIMEN_RETURN_IF_ERROR(
      CheckKeys(root,
                {"kubeconfig", "metricsAddr", "leaderElection", "identity", "watchNamespace",
                 "workers", "logLevel", "logFormat", "reportInterval", "fieldManager", "clientQPS",
                 "clientBurst", "reconcilers"},
                w));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "kubeconfig", w, c.kubeconfig, AsString));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "metricsAddr", w, c.metrics_addr, AsString));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "identity", w, c.identity, AsString));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "watchNamespace", w, c.watch_namespace, AsString));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "workers", w, c.workers, AsInt));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "logLevel", w, c.log_level, AsString));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "logFormat", w, c.log_format, AsString));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "reportInterval", w, c.report_interval, ParseDur));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "fieldManager", w, c.field_manager, AsString));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "clientQPS", w, c.client_qps, AsDouble));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "clientBurst", w, c.client_burst, AsInt));
  if (const YAML::Node le = root["leaderElection"]) {
    const std::string lw = w + "leaderElection.";
    if (!le.IsMap()) return Err(w + "leaderElection", "expected a map");
    LIMEN_RETURN_IF_ERROR(CheckKeys(
        le, {"enabled", "namespace", "leaseName", "leaseDuration", "renewDeadline", "retryPeriod"},
        lw));
    auto& l = c.leader_election;
    LIMEN_RETURN_IF_ERROR(Scalar(le, "enabled", lw, l.enabled, ParseBool));
    LIMEN_RETURN_IF_ERROR(Scalar(le, "namespace", lw, l.lease_namespace, AsString));
    LIMEN_RETURN_IF_ERROR(Scalar(le, "leaseName", lw, l.lease_name, AsString));
    LIMEN_RETURN_IF_ERROR(Scalar(le, "leaseDuration", lw, l.lease_duration, AsMillis));
    LIMEN_RETURN_IF_ERROR(Scalar(le, "renewDeadline", lw, l.renew_deadline, AsMillis));
    LIMEN_RETURN_IF_ERROR(Scalar(le, "retryPeriod", lw, l.retry_period, AsMillis));
  }
  LIMEN_ASSIGN_OR_RETURN(YAML::Node r, SubMap(root, "reconcilers", w));
  if (r) LIMEN_RETURN_IF_ERROR(ParseReconcilers(r, w + "reconcilers.", c));
  return Status::Ok();
}

}  // namespace

StatusOr<Flags> ParseFlags(const std::vector<std::string>& args) {
  Flags f;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "-h" || arg == "--help") {
      f.help = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) return Err("argument \"" + arg + "\"", "unexpected (see --help)");
    std::string name = arg.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const std::string where = "--" + name;
    if (name == "leader-elect" && !inline_value) {
      f.leader_elect = true;
      continue;
    }
    if (name == "allow-image-tags" && !inline_value) {
      f.allow_image_tags = true;
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) return Err(where, "needs a value");
      value = args[++i];
    }
    if (name == "config") {
      f.config = value;
    } else if (name == "kubeconfig") {
      f.kubeconfig = value;
    } else if (name == "metrics-addr") {
      f.metrics_addr = value;
    } else if (name == "leader-elect") {
      LIMEN_ASSIGN_OR_RETURN(f.leader_elect, ParseBool(value, where));
    } else if (name == "lease-namespace") {
      f.lease_namespace = value;
    } else if (name == "identity") {
      f.identity = value;
    } else if (name == "watch-namespace") {
      f.watch_namespace = value;
    } else if (name == "workers") {
      LIMEN_ASSIGN_OR_RETURN(auto n, AsInt(value, where));
      f.workers = static_cast<int>(n);
    } else if (name == "log-level") {
      f.log_level = value;
    } else if (name == "log-format") {
      f.log_format = value;
    } else if (name == "report-interval") {
      LIMEN_ASSIGN_OR_RETURN(f.report_interval, ParseDur(value, where));
    } else if (name == "allow-image-tags") {
      LIMEN_ASSIGN_OR_RETURN(f.allow_image_tags, ParseBool(value, where));
    } else if (name == "max-module-size") {
      LIMEN_ASSIGN_OR_RETURN(f.max_module_size, AsQuantity(value, where));
    } else if (name == "app-ports") {
      LIMEN_ASSIGN_OR_RETURN(f.app_ports, ParsePortList(value, where));
    } else {
      return Err(where, "unknown flag (see --help)");
    }
  }
  return f;
}

StatusOr<OperatorConfig> ParseConfigYaml(std::string_view text, const std::string& path) {
  OperatorConfig c;
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) return c;
    if (!root.IsMap()) return Err(path, "expected a YAML map at the top level");
    LIMEN_RETURN_IF_ERROR(ParseRoot(root, path, c));
  } catch (const YAML::Exception& e) {
    return Err(path, std::string("invalid YAML: ") + e.what());
  }
  return c;
}

void ApplyFlags(const Flags& f, OperatorConfig& c) {
  if (f.kubeconfig) c.kubeconfig = *f.kubeconfig;
  if (f.metrics_addr) c.metrics_addr = *f.metrics_addr;
  if (f.leader_elect) c.leader_election.enabled = *f.leader_elect;
  if (f.lease_namespace) c.leader_election.lease_namespace = *f.lease_namespace;
  if (f.identity) c.identity = *f.identity;
  if (f.watch_namespace) c.watch_namespace = *f.watch_namespace;
  if (f.workers) c.workers = *f.workers;
  if (f.log_level) c.log_level = *f.log_level;
  if (f.log_format) c.log_format = *f.log_format;
  if (f.report_interval) c.report_interval = *f.report_interval;
  if (f.allow_image_tags) c.wasm_filter.allow_image_tags = *f.allow_image_tags;
  if (f.max_module_size) c.wasm_filter.max_module_size = static_cast<size_t>(*f.max_module_size);
  if (f.app_ports) c.app_ports = *f.app_ports;
}

namespace {

Status ValidateWasmFilter(const reconcilers::wasmfilter::Config& c) {
  const std::string w = "reconcilers.wasmFilter.";
  if (c.max_module_size == 0) return Err(w + "maxModuleSize", "must be positive");
  for (size_t i = 0; i < c.wasi_import_modules.size(); ++i) {
    if (c.wasi_import_modules[i].empty()) {
      return Err(w + "wasiImportModules[" + std::to_string(i) + "]", "must not be empty");
    }
  }
  return Status::Ok();
}

Status ValidateResiliencePolicy(const std::vector<int>& app_ports, const envoy::RenderConfig& e) {
  const std::string w = "reconcilers.resiliencePolicy.";
  const std::string ew = w + "envoy.";
  auto port_ok = [](int p) { return p >= 1 && p <= 65535; };
  if (app_ports.empty()) return Err(w + "appPorts", "must name at least one port");
  for (size_t i = 0; i < app_ports.size(); ++i) {
    if (!port_ok(app_ports[i])) {
      return Err(w + "appPorts[" + std::to_string(i) + "]",
                 "port " + std::to_string(app_ports[i]) + " is not in 1..65535");
    }
  }
  for (auto [key, port] : {std::pair{"adminPort", e.admin_port},
                           {"statsPort", e.stats_port},
                           {"inboundPort", e.inbound_port}}) {
    if (!port_ok(port)) {
      return Err(ew + key, "port " + std::to_string(port) + " is not in 1..65535");
    }
  }
  // The sidecar shares the Pod's network namespace with the app: no two listeners (Envoy's
  // admin, stats and one inbound listener per distinct app port, nor the app itself) may
  // share a port.
  const std::set<int> distinct(app_ports.begin(), app_ports.end());
  const int64_t inbound_last = int64_t{e.inbound_port} + static_cast<int64_t>(distinct.size()) - 1;
  if (inbound_last > 65535) {
    return Err(ew + "inboundPort", "inboundPort + the number of app ports exceeds 65535");
  }
  auto in_inbound = [&](int p) { return p >= e.inbound_port && p <= inbound_last; };
  if (e.admin_port == e.stats_port) return Err(ew + "statsPort", "must differ from adminPort");
  if (in_inbound(e.admin_port)) {
    return Err(ew + "adminPort", "collides with the inbound listeners " +
                                     std::to_string(e.inbound_port) + ".." +
                                     std::to_string(inbound_last));
  }
  if (in_inbound(e.stats_port)) {
    return Err(ew + "statsPort", "collides with the inbound listeners " +
                                     std::to_string(e.inbound_port) + ".." +
                                     std::to_string(inbound_last));
  }
  for (int p : distinct) {
    if (p == e.admin_port || p == e.stats_port || in_inbound(p)) {
      return Err(w + "appPorts", "app port " + std::to_string(p) +
                                     " collides with a port of the sidecar (admin, stats or "
                                     "inbound listeners)");
    }
  }
  if (e.stats_path.empty() || e.stats_path.front() != '/') {
    return Err(ew + "statsPath", "must start with /");
  }
  if (e.connect_timeout_millis < 1) return Err(ew + "connectTimeout", "must be positive");
  if (e.health_check_interval_seconds < 1) {
    return Err(ew + "healthCheckInterval", "must be at least 1s");
  }
  for (auto [key, v] : {std::pair{"unhealthyThreshold", e.unhealthy_threshold},
                        {"healthyThreshold", e.healthy_threshold},
                        {"maxConnections", e.max_connections},
                        {"maxPendingRequests", e.max_pending_requests},
                        {"maxRequests", e.max_requests}}) {
    if (v < 1) return Err(ew + key, "must be at least 1");
  }
  if (e.max_retries < 0) return Err(ew + "maxRetries", "must not be negative");
  return Status::Ok();
}

}  // namespace

Status Validate(const OperatorConfig& c) {
  if (c.workers < 1 || c.workers > 64) return Err("workers", "must be between 1 and 64");
  LIMEN_RETURN_IF_ERROR(ParseHostPort(c.metrics_addr).status().WithContext("metricsAddr"));
  if (c.log_format != "json" && c.log_format != "text") {
    return Err("logFormat", "must be json or text, not \"" + c.log_format + "\"");
  }
  if (c.leader_election.enabled && c.leader_election.lease_namespace.empty()) {
    return Err("leaderElection.namespace", "must not be empty");
  }
  if (c.field_manager.empty()) return Err("fieldManager", "must not be empty");
  LIMEN_RETURN_IF_ERROR(ValidateWasmFilter(c.wasm_filter));
  return ValidateResiliencePolicy(c.app_ports, c.envoy);
}

StatusOr<OperatorConfig> LoadOperatorConfig(const std::vector<std::string>& args) {
  LIMEN_ASSIGN_OR_RETURN(Flags flags, ParseFlags(args));
  OperatorConfig config;
  if (flags.config) {
    std::ifstream in(*flags.config);
    if (!in) return Err("--config", "cannot read " + *flags.config);
    std::stringstream text;
    text << in.rdbuf();
    LIMEN_ASSIGN_OR_RETURN(config, ParseConfigYaml(text.str(), *flags.config));
  }
  ApplyFlags(flags, config);
  LIMEN_RETURN_IF_ERROR(Validate(config));
  return config;
}

StatusOr<HostPort> ParseHostPort(std::string_view addr) {
  const auto colon = addr.rfind(':');
  if (colon == std::string_view::npos)
    return Err("\"" + std::string(addr) + "\"", "expected HOST:PORT");
  std::string host(addr.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (host.empty()) return Err("\"" + std::string(addr) + "\"", "empty host");
  auto port = ParseInt(addr.substr(colon + 1), "\"" + std::string(addr) + "\" port");
  if (!port.ok()) return port.status();
  if (*port < 1 || *port > 65535)
    return Err("\"" + std::string(addr) + "\"", "port must be 1..65535");
  return HostPort{host, static_cast<uint16_t>(*port)};
}

std::string Usage() {
  return R"(usage: limen-operator [flags]
       limen-operator wasm validate FILE [--abi wasi|proxy-wasm] [--sha256 HEX] [--json]

flags (override the config file):
  --config FILE            YAML configuration (see operator/README.md)
  --kubeconfig FILE        kubeconfig ("" = $KUBECONFIG, in-cluster, ~/.kube/config)
  --metrics-addr HOST:PORT /metrics, /healthz, /readyz (default 127.0.0.1:8080)
  --leader-elect[=BOOL]    run leader election (default true)
  --lease-namespace NS     namespace of the Lease (default limen-system)
  --identity ID            leader-election identity (default <hostname>_<pid>)
  --watch-namespace NS     watch only this namespace (default "": every namespace)
  --workers N              workers per controller (default 2)
  --log-level LEVEL        trace, debug, info, warn, error (default info)
  --log-format FORMAT      json or text (default json)
  --report-interval DUR    the node agents' report interval (default 15s)
  --allow-image-tags[=BOOL] accept WasmFilter images pinned by tag only (default false)
  --max-module-size QTY    largest WASM module accepted (default 8Mi)
  --app-ports P[,P...]     app ports every policy's sidecar forwards to (default 8080)
)";
}

}  // namespace limen::op

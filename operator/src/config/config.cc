#include "config/config.h"

#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "limen/api/duration.h"

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

nlohmann::json YamlToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& kv : n) out[kv.first.as<std::string>()] = YamlToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : n) out.push_back(YamlToJson(item));
      return out;
    }
    case YAML::NodeType::Scalar: return n.as<std::string>();
    default: return nullptr;
  }
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

Status CheckKeys(const YAML::Node& map, const std::set<std::string>& known,
                 const std::string& where) {
  for (const auto& kv : map) {
    const std::string key = kv.first.as<std::string>();
    if (!known.count(key)) return Err(where + key, "unknown key");
  }
  return Status::Ok();
}

Status ParseRoot(const YAML::Node& root, const std::string& file, OperatorConfig& c) {
  const std::string w = file + ": ";
  LIMEN_RETURN_IF_ERROR(CheckKeys(
      root,
      {"kubeconfig", "metricsAddr", "leaderElection", "identity", "workers", "logLevel",
       "logFormat", "reportInterval", "fieldManager", "clientQPS", "clientBurst", "reconcilers"},
      w));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "kubeconfig", w, c.kubeconfig, AsString));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "metricsAddr", w, c.metrics_addr, AsString));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "identity", w, c.identity, AsString));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "workers", w, c.workers, ParseInt));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "logLevel", w, c.log_level, AsString));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "logFormat", w, c.log_format, AsString));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "reportInterval", w, c.report_interval, ParseDur));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "fieldManager", w, c.field_manager, AsString));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "clientQPS", w, c.client_qps, AsDouble));
  LIMEN_RETURN_IF_ERROR(Scalar(root, "clientBurst", w, c.client_burst, ParseInt));
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
  if (const YAML::Node r = root["reconcilers"]) {
    if (!r.IsMap()) return Err(w + "reconcilers", "expected a map");
    c.reconcilers = YamlToJson(r);
  }
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
    } else if (name == "workers") {
      LIMEN_ASSIGN_OR_RETURN(auto n, ParseInt(value, where));
      f.workers = static_cast<int>(n);
    } else if (name == "log-level") {
      f.log_level = value;
    } else if (name == "log-format") {
      f.log_format = value;
    } else if (name == "report-interval") {
      LIMEN_ASSIGN_OR_RETURN(f.report_interval, ParseDur(value, where));
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
  if (f.workers) c.workers = *f.workers;
  if (f.log_level) c.log_level = *f.log_level;
  if (f.log_format) c.log_format = *f.log_format;
  if (f.report_interval) c.report_interval = *f.report_interval;
}

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
  return Status::Ok();
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
  --workers N              workers per controller (default 2)
  --log-level LEVEL        trace, debug, info, warn, error (default info)
  --log-format FORMAT      json or text (default json)
  --report-interval DUR    the node agents' report interval (default 15s)
)";
}

}  // namespace limen::op

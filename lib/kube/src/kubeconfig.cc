// Kubeconfig parsing with yaml-cpp. Every yaml-cpp exception is caught here; errors name
// the file and the field (`clusters["x"].server`).
#include <filesystem>
#include <string>

#include <yaml-cpp/yaml.h>

#include "limen/kube/base64.h"
#include "limen/kube/config.h"

namespace limen::kube {
namespace {

class Parser {
 public:
  Parser(const std::string& path, std::string context) : path_(path), context_(std::move(context)) {
    dir_ = std::filesystem::path(path).parent_path();
  }

  StatusOr<Config> Parse(std::string_view text);

 private:
  Status Error(const std::string& field, const std::string& what,
               StatusCode code = StatusCode::kInvalidArgument) const {
    return Status(code, "kubeconfig " + path_ + ": " + field + ": " + what);
  }

  // The entry of list `list` (clusters, users, contexts) whose name is `name`, and its
  // inner map (`cluster`, `user`, `context`).
  StatusOr<YAML::Node> Find(const YAML::Node& root, const std::string& list,
                            const std::string& inner, const std::string& name,
                            const std::string& referrer) const;
  StatusOr<std::string> String(const YAML::Node& map, const std::string& key,
                               const std::string& field) const;
  // A *-data field (base64) or its file twin; "" when neither is set.
  StatusOr<std::string> DataOrFile(const YAML::Node& map, const std::string& key,
                                   const std::string& field_prefix) const;
  std::string Resolve(const std::string& p) const;

  std::string path_;
  std::string context_;
  std::filesystem::path dir_;
};

std::string Quoted(const std::string& s) { return "[\"" + s + "\"]"; }

std::string Parser::Resolve(const std::string& p) const {
  std::filesystem::path fp(p);
  return fp.is_absolute() || dir_.empty() ? p : (dir_ / fp).string();
}

StatusOr<std::string> Parser::String(const YAML::Node& map, const std::string& key,
                                     const std::string& field) const {
  const YAML::Node n = map[key];
  if (!n || n.IsNull()) return std::string();
  if (!n.IsScalar()) return Error(field + "." + key, "must be a string");
  return n.Scalar();
}

StatusOr<std::string> Parser::DataOrFile(const YAML::Node& map, const std::string& key,
                                         const std::string& prefix) const {
  LIMEN_ASSIGN_OR_RETURN(std::string data, String(map, key + "-data", prefix));
  if (!data.empty()) {
    auto decoded = Base64Decode(data);
    if (!decoded) return Error(prefix + "." + key + "-data", "is not valid base64");
    return *decoded;
  }
  LIMEN_ASSIGN_OR_RETURN(std::string file, String(map, key, prefix));
  if (file.empty()) return std::string();
  auto content = ReadFileToString(Resolve(file));
  if (!content.ok()) return Error(prefix + "." + key, content.status().message());
  return *content;
}

StatusOr<YAML::Node> Parser::Find(const YAML::Node& root, const std::string& list,
                                  const std::string& inner, const std::string& name,
                                  const std::string& referrer) const {
  const YAML::Node entries = root[list];
  if (entries && !entries.IsNull() && !entries.IsSequence()) {
    return Error(list, "must be a list");
  }
  if (entries) {
    for (const auto& e : entries) {
      if (!e.IsMap()) return Error(list, "every entry must be a map");
      if (e["name"] && e["name"].IsScalar() && e["name"].Scalar() == name) {
        const YAML::Node m = e[inner];
        if (!m || m.IsNull()) return YAML::Node(YAML::NodeType::Map);
        if (!m.IsMap()) {
          std::string field = list;
          field += Quoted(name);
          field += ".";
          field += inner;
          return Error(field, "must be a map");
        }
        return m;
      }
    }
  }
  return Error(referrer, "refers to " + inner + " \"" + name + "\", which is not in " + list);
}

StatusOr<Config> Parser::Parse(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Error("(document)", std::string("invalid YAML: ") + e.what());
  }
  if (!root.IsMap()) return Error("(document)", "is not a YAML map");

  std::string ctx_name = context_;
  std::string ctx_field = "--context";
  if (ctx_name.empty()) {
    LIMEN_ASSIGN_OR_RETURN(ctx_name, String(root, "current-context", "(document)"));
    ctx_field = "current-context";
    if (ctx_name.empty()) return Error("current-context", "is not set and no context was given");
  }
  LIMEN_ASSIGN_OR_RETURN(YAML::Node ctx, Find(root, "contexts", "context", ctx_name, ctx_field));
  const std::string cf = "contexts" + Quoted(ctx_name) + ".context";
  LIMEN_ASSIGN_OR_RETURN(std::string cluster_name, String(ctx, "cluster", cf));
  LIMEN_ASSIGN_OR_RETURN(std::string user_name, String(ctx, "user", cf));
  LIMEN_ASSIGN_OR_RETURN(std::string ns, String(ctx, "namespace", cf));
  if (cluster_name.empty()) return Error(cf + ".cluster", "is not set");

  Config c;
  if (!ns.empty()) c.default_namespace = ns;
  c.source = "kubeconfig " + path_ + " (context " + ctx_name + ")";

  LIMEN_ASSIGN_OR_RETURN(YAML::Node cluster,
                         Find(root, "clusters", "cluster", cluster_name, cf + ".cluster"));
  const std::string kf = "clusters" + Quoted(cluster_name) + ".cluster";
  LIMEN_ASSIGN_OR_RETURN(c.server, String(cluster, "server", kf));
  if (c.server.empty()) return Error(kf + ".server", "is not set");
  if (c.server.rfind("https://", 0) != 0 && c.server.rfind("http://", 0) != 0) {
    return Error(kf + ".server", "\"" + c.server + "\" is not an http(s) URL");
  }
  while (c.server.size() > 8 && c.server.back() == '/') c.server.pop_back();
  LIMEN_ASSIGN_OR_RETURN(c.ca_pem, DataOrFile(cluster, "certificate-authority", kf));
  if (const YAML::Node n = cluster["insecure-skip-tls-verify"]; n && !n.IsNull()) {
    if (!n.IsScalar() || (n.Scalar() != "true" && n.Scalar() != "false")) {
      return Error(kf + ".insecure-skip-tls-verify", "must be true or false");
    }
    c.insecure_skip_tls_verify = n.Scalar() == "true";
  }

  if (user_name.empty()) return c;  // anonymous
  LIMEN_ASSIGN_OR_RETURN(YAML::Node user, Find(root, "users", "user", user_name, cf + ".user"));
  const std::string uf = "users" + Quoted(user_name) + ".user";
  for (const char* unsupported : {"exec", "auth-provider"}) {
    if (user[unsupported]) {
      return Error(uf + "." + unsupported,
                   "is not supported by Limen (use a token or a client "
                   "certificate)",
                   StatusCode::kUnimplemented);
    }
  }
  LIMEN_ASSIGN_OR_RETURN(c.client_cert_pem, DataOrFile(user, "client-certificate", uf));
  LIMEN_ASSIGN_OR_RETURN(c.client_key_pem, DataOrFile(user, "client-key", uf));
  if (c.client_cert_pem.empty() != c.client_key_pem.empty()) {
    return Error(uf, "client-certificate and client-key must be set together");
  }
  LIMEN_ASSIGN_OR_RETURN(std::string token, String(user, "token", uf));
  LIMEN_ASSIGN_OR_RETURN(std::string token_file, String(user, "tokenFile", uf));
  if (!token.empty()) {
    c.token = TokenSource::Static(token);
  } else if (!token_file.empty()) {
    const std::string resolved = Resolve(token_file);
    auto content = ReadFileToString(resolved);
    if (!content.ok()) return Error(uf + ".tokenFile", content.status().message());
    c.token = TokenSource::File(resolved, *content);
  }
  return c;
}

}  // namespace

StatusOr<Config> ParseKubeconfig(std::string_view yaml, const std::string& path,
                                 const std::string& context) {
  try {
    return Parser(path, context).Parse(yaml);
  } catch (const std::exception& e) {  // yaml-cpp conversions; never escape
    return Status::InvalidArgument("kubeconfig " + path + ": " + e.what());
  }
}

StatusOr<Config> LoadKubeconfig(const std::string& path, const std::string& context) {
  auto text = ReadFileToString(path);
  if (!text.ok()) return Status(text.status().code(), "kubeconfig: " + text.status().message());
  return ParseKubeconfig(*text, path, context);
}

}  // namespace limen::kube

// The offline subcommands of limen-webhook (no cluster, no network):
//
//   plan   --pod POD.yaml --policy RESPOL.yaml [--policy ...] [--wasmfilter WF.yaml ...]
//          [--namespace NS] [--namespace-labels k=v[,k=v]] [--config FILE] [--older-cluster]
//          [--sidecar-image REF] [--output patch|pod|decision]
//       Prints the RFC 6902 patch the webhook would return (default), the mutated Pod, or
//       the decision record; warnings go to stderr.
//   inject -f POD.yaml --policies DIR [same options]
//       `istioctl kube-inject`-style: every YAML file of DIR is read for ResiliencePolicies and
//       WasmFilters; prints the mutated Pod.
//   certs  --out DIR [--ip IP ...] [--dns NAME ...] [--reuse-ca] [--days N]
//       Writes ca.crt, ca.key (a new CA unless --reuse-ca finds one in DIR), tls.crt, tls.key.
//
// Policies given offline are used as written: a policy without status.renderedConfig.hash
// gets "offline" as its hash, so a dry run shows the injection the operator would enable.
//
// Thread-safety: single-threaded CLI functions; they return the process exit code.
#pragma once

#include <chrono>
#include <ostream>
#include <string>
#include <vector>

#include "limen/base/status.h"
#include "limen/webhook/cert_plan.h"
#include "limen/webhook/config.h"

namespace limen::webhook {

int RunPlanCommand(const std::vector<std::string>& args, bool inject_style, std::ostream& out,
                   std::ostream& err);
int RunCertsCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The `serve` flags of the certificate manager (cert_manager.h); see docs/webhook.md.
struct CertManagerFlags {
  std::string secret_namespace;  // from --cert-secret NS/NAME (NAME alone: $POD_NAMESPACE,
  std::string secret_name;       // else limen-system)
  std::string mutating_webhook_configuration;
  std::string validating_webhook_configuration;
  CertPolicy policy;
  std::chrono::milliseconds sync_interval{std::chrono::seconds(30)};
  bool enabled() const { return !secret_name.empty(); }
};

// If args[i] is a certificate-manager flag, consumes it (and its value, advancing i) and
// returns true; false for any other argument; an error for a bad value.
StatusOr<bool> ParseCertManagerFlag(const std::vector<std::string>& args, size_t& i,
                                    CertManagerFlags& flags);
// Checks the flags once all are parsed (names, windows; see ValidatePolicy).
Status ValidateCertManagerFlags(CertManagerFlags& flags);

// Reads a config file (YAML/JSON object with the InjectorConfig keys) over `config`.
Status LoadConfigFile(const std::string& path, InjectorConfig& config);

// The sidecar image the dry-run uses when none is configured (clearly not a real one).
inline constexpr const char* kDryRunImage =
    "example.invalid/limen/sidecar@sha256:"
    "0000000000000000000000000000000000000000000000000000000000000000";

}  // namespace limen::webhook

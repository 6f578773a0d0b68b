// Command line of limen-bpf-loader, parsed by a pure function (unit-tested; bad input is an
// InvalidArgument naming the flag, never an exception).
//
//   limen-bpf-loader [kube] [--node-name NAME] [--kubeconfig PATH] [--metrics-addr HOST:PORT]
//       [--report-interval-ms N] [--resync-interval-ms N] [--ringbuf-bytes N]
//       [--log-level info] [--log-format json|text]
//   limen-bpf-loader features
//   limen-bpf-loader help | -h | --help   (usage on stdout, exit 0)
//   limen-bpf-loader standalone (--pid N | --cgroup PATH | --container-id RUNTIME://ID)...
//       [--pod NAMESPACE/NAME[/UID]] [--container NAME] [--probes a,b,...]
//       [--metrics-addr HOST:PORT] [--print-json] [--report-interval-ms N]
//       [--ringbuf-bytes N] [--duration-ms N] [--node NAME]
//       [--log-level info] [--log-format json|text]
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "limen/base/status.h"
#include "limen/bpf/probe_abi.h"
#include "limen/bpf/sources.h"

namespace limen::bpf {

struct CliConfig {
  std::string command;  // "kube" (the default), "standalone", "features" or "help"
  PodTarget pod{"standalone", "standalone", "", {}};
  std::set<Probe> probes;    // empty = all
  std::string metrics_addr;  // "" = no HTTP endpoint
  bool print_json = false;
  int64_t report_interval_ms = 15000;
  uint32_t ringbuf_bytes = LIMEN_DEFAULT_RINGBUF_BYTES;
  int64_t duration_ms = 0;  // 0 = until SIGINT/SIGTERM
  std::string node;         // --node / --node-name; kube mode: else $NODE_NAME (main)
  std::string kubeconfig;   // kube mode; "" = $KUBECONFIG, in-cluster, ~/.kube/config
  int64_t resync_interval_ms = 1000;
  std::string log_level = "info";
  std::string log_format = "json";
};

// No command, or a first argument that is a flag, means `kube`.
StatusOr<CliConfig> ParseCli(const std::vector<std::string>& args);

}  // namespace limen::bpf

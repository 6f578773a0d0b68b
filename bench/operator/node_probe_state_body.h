// The NodeProbeState of one node as bench/operator writes it (operator_bench_writer) and as
// cache_footprint measures it: a 6.18 kernel with every feature, the four tracepoint probes
// Attached at `at`, and `pods` (PodMeasurements) as status.pods.
#pragma once

#include <string>

#include "limen/kube/client.h"

namespace limen::bench {

inline kube::Object NodeProbeStateBody(kube::Object metadata, kube::Object pods,
                                       const std::string& at) {
  kube::Object probes = kube::Object::array();
  for (const char* p : {"process.exec", "process.exit", "tcp.send", "tcp.state"}) {
    probes.push_back({{"name", p}, {"state", "Attached"}, {"attachedAt", at}});
  }
  const size_t count = pods.size();
  return {{"apiVersion", "limen.dev/v1alpha1"},
          {"kind", "NodeProbeState"},
          {"metadata", std::move(metadata)},
          {"status",
           {{"kernel",
             {{"release", "6.18.44"},
              {"btf", true},
              {"ringBuffer", true},
              {"tracepoints", true},
              {"uprobes", true}}},
            {"probes", std::move(probes)},
            {"probesSummary", "4/4"},
            {"pods", std::move(pods)},
            {"podCount", count},
            {"reportedAt", at}}}};
}

}  // namespace limen::bench

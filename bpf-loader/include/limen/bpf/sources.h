// The agent's two seams to the rest of Limen, so the Kubernetes side plugs in later:
//   PodSource — which pods and containers live on this node (for Kubernetes: the Pods with
//               spec.nodeName = this node that an ObservabilityPolicy selects, with their
//               status.containerStatuses[].containerID);
//   StateSink — where reports go (for Kubernetes: the NodeProbeState status writer).
// The standalone implementations here take targets from the command line and print JSON;
// the Kubernetes ones are KubePodSource (kube_source.h) and NodeProbeStateWriter
// (kube_sink.h).
//
// Thread-safety: implementations are called from the agent loop thread only.
#pragma once

#include <iosfwd>
#include <set>
#include <string>
#include <vector>

#include "limen/base/status.h"
#include "limen/bpf/report.h"

namespace limen::bpf {

struct ContainerTarget {
  std::string name;
  std::string container_id;          // "containerd://<64 hex>"; matched against cgroup paths
  std::vector<std::string> cgroups;  // absolute cgroup directories to trace (standalone)
  std::vector<int> pids;             // processes to trace, with their future children
};

struct PodTarget {
  std::string namespace_;
  std::string name;
  std::string uid;
  std::vector<ContainerTarget> containers;
  // The probes the pod's policies ask for (kube mode: the union over the policies that
  // select it). Empty = every probe the loader runs (standalone).
  std::set<Probe> probes = {};
};

class PodSource {
 public:
  virtual ~PodSource() = default;
  // The pods to trace now. An error keeps the previous set (the agent retries).
  virtual StatusOr<std::vector<PodTarget>> ListPods() = 0;
};

class StateSink {
 public:
  virtual ~StateSink() = default;
  virtual Status Report(const NodeReport& report) = 0;
};

class StaticPodSource : public PodSource {
 public:
  explicit StaticPodSource(std::vector<PodTarget> pods) : pods_(std::move(pods)) {}
  StatusOr<std::vector<PodTarget>> ListPods() override { return pods_; }
  void Set(std::vector<PodTarget> pods) { pods_ = std::move(pods); }

 private:
  std::vector<PodTarget> pods_;
};

// Writes the NodeProbeState status JSON, one line per report, only when it changed.
class JsonLinesSink : public StateSink {
 public:
  explicit JsonLinesSink(std::ostream& out) : out_(out) {}
  Status Report(const NodeReport& report) override;

 private:
  std::ostream& out_;
  std::string last_;
};

}  // namespace limen::bpf

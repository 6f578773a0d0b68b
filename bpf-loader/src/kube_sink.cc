#include "limen/bpf/kube_sink.h"

#include <spdlog/spdlog.h>

#include "limen/api/well_known.h"
#include "limen/bpf/node_probe_state.h"
#include "limen/bpf/probe_events.h"

namespace limen::bpf {

namespace {
constexpr char kFieldManager[] = "limen-bpf-loader";
}

NodeProbeStateWriter::NodeProbeStateWriter(kube::Client& client, std::string node,
                                           std::chrono::milliseconds interval, kube::Clock& clock,
                                           kube::EventRecorder* events)
    : client_(client),
      node_(std::move(node)),
      interval_(interval),
      clock_(clock),
      events_(events) {}

Status NodeProbeStateWriter::Report(const NodeReport& report) {
  NodeReport r = report;
  r.node = node_;
  std::string key = RenderNodeProbeStatusForComparison(r).dump();
  auto now = clock_.Monotonic();
  std::optional<std::chrono::milliseconds> since;
  if (last_write_) {
    since = std::chrono::duration_cast<std::chrono::milliseconds>(now - *last_write_);
  }
  if (!ShouldWriteStatus(key != last_, since, interval_)) return Status::Ok();
  LIMEN_RETURN_IF_ERROR(EnsureObject());
  Status s = PatchStatus(RenderNodeProbeStatus(r));
  if (s.code() == StatusCode::kNotFound) {  // deleted under us: create it again
    exists_ = false;
    LIMEN_RETURN_IF_ERROR(EnsureObject());
    s = PatchStatus(RenderNodeProbeStatus(r));
  }
  if (!s.ok()) return s;
  last_ = std::move(key);
  last_write_ = now;
  ++writes_;
  AnnounceProbes(r.probes);
  return Status::Ok();
}

void NodeProbeStateWriter::AnnounceProbes(const std::vector<ProbeStatus>& probes) {
  if (!events_) return;
  for (const ProbeEvent& e : ProbeTransitions(announced_, probes)) {
    events_->Event(ref_, e.warning ? kube::EventType::kWarning : kube::EventType::kNormal, e.reason,
                   "AttachProbe", e.note);
  }
  announced_ = probes;
}

Status NodeProbeStateWriter::EnsureObject() {
  if (exists_) return Status::Ok();
  auto got = client_.Get(kNodeProbeStates, "", node_);
  if (got.ok()) {
    exists_ = true;
    ref_ = kube::ReferenceTo(*got);
    return Status::Ok();
  }
  if (!got.error().IsNotFound()) {
    return got.error().ToStatus().WithContext("reading NodeProbeState " + node_);
  }
  nlohmann::json obj = {
      {"apiVersion", std::string(api::kApiVersion)},
      {"kind", std::string(api::kKindNodeProbeState)},
      {"metadata",
       {{"name", node_},
        {"labels", {{std::string(api::kLabelManagedBy), std::string(api::kManagedByLimen)}}}}}};
  // Owned by the Node, so the garbage collector removes it with the Node. Without read
  // access to Nodes (or in tests without a Node object) it is simply not owned.
  auto node = client_.Get(kube::resources::kNodes, "", node_);
  if (node.ok() && node->contains("metadata") && (*node)["metadata"].contains("uid")) {
    obj["metadata"]["ownerReferences"] =
        nlohmann::json::array({{{"apiVersion", "v1"},
                                {"kind", "Node"},
                                {"name", node_},
                                {"uid", (*node)["metadata"]["uid"]}}});
  } else if (!node.ok()) {
    spdlog::debug("NodeProbeState {} not owned by its Node: {}", node_, node.error().ToString());
  }
  kube::RequestOptions opts;
  opts.field_manager = kFieldManager;
  auto created = client_.Create(kNodeProbeStates, "", obj, opts);
  if (!created.ok() && !created.error().IsAlreadyExists()) {
    return created.error().ToStatus().WithContext("creating NodeProbeState " + node_);
  }
  if (created.ok()) {
    spdlog::info("created NodeProbeState {}", node_);
    ref_ = kube::ReferenceTo(*created);
  } else {  // created by an earlier run of ours a moment ago: refer to it by name
    ref_ = kube::ReferenceTo(obj);
  }
  exists_ = true;
  return Status::Ok();
}

Status NodeProbeStateWriter::PatchStatus(const nlohmann::json& status) {
  kube::PatchOptions opts;
  opts.subresource = "status";
  opts.field_manager = kFieldManager;
  auto r = client_.Patch(kNodeProbeStates, "", node_, kube::PatchType::kMerge,
                         nlohmann::json{{"status", status}}, opts);
  if (!r.ok())
    return r.error().ToStatus().WithContext("writing NodeProbeState " + node_ + " status");
  return Status::Ok();
}

}  // namespace limen::bpf

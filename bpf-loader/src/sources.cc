#include "limen/bpf/sources.h"

#include <ostream>

#include "limen/bpf/node_probe_state.h"

namespace limen::bpf {

Status JsonLinesSink::Report(const NodeReport& report) {
  std::string key = RenderNodeProbeStatusForComparison(report).dump();
  if (key == last_) return Status::Ok();
  last_ = std::move(key);
  out_ << RenderNodeProbeStatus(report).dump() << std::endl;
  return out_ ? Status::Ok() : Status::Unavailable("writing the report failed");
}

}  // namespace limen::bpf

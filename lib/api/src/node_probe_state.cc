#include "limen/api/node_probe_state.h"

namespace limen::api {

void SetDefaults(NodeProbeState&) {}

}  // namespace limen::api

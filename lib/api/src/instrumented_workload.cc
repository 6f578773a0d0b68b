#include "limen/api/instrumented_workload.h"

namespace limen::api {

void SetDefaults(InstrumentedWorkload&) {}

}  // namespace limen::api

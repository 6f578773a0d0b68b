// degradedResponse → the outbound connection manager's local_reply_config: what the app
// receives instead of an upstream's answer while a circuit is open or a limit overflows.
#include "plan.h"

namespace limen::envoy::internal {
namespace {

using nlohmann::json;

json Mapper(const Plan& plan, const char* flag) {
  json m = {{"filter", {{"response_flag_filter", {{"flags", json::array({flag})}}}}},
            {"status_code", plan.degraded_status},
            // An empty body means no body (the CRD's contract), not Envoy's default text.
            {"body", {{"inline_string", plan.degraded_body}}}};
  const json parsed = json::parse(plan.degraded_body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() || parsed.is_array()) {
    // %LOCAL_REPLY_BODY% inserts the body verbatim, so a "%" in it is never a command.
    m["body_format_override"] = {{"text_format_source", {{"inline_string", "%LOCAL_REPLY_BODY%"}}},
                                 {"content_type", "application/json"}};
  }
  return m;
}

}  // namespace

json LocalReplyConfig(const Plan& plan) {
  // UH: no healthy upstream — every host ejected by outlier detection, i.e. the circuit is
  // open (or a health dependency is down). UO: an Envoy circuit_breakers limit overflowed.
  return {{"mappers", json::array({Mapper(plan, "UH"), Mapper(plan, "UO")})}};
}

}  // namespace limen::envoy::internal

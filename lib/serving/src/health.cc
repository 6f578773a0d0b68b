#include "limen/serving/health.h"

#include <exception>
#include <utility>

namespace limen::serving {

void HealthChecks::Add(Kind kind, std::string name, Check check) {
  checks_.push_back({kind, std::move(name), std::move(check)});
}

Response HealthChecks::Evaluate(Kind kind, bool verbose) const {
  std::string detail;
  std::string failed;
  for (const auto& c : checks_) {
    // Readiness includes liveness: a process that should be restarted is not ready either.
    if (kind == Kind::kLiveness && c.kind != Kind::kLiveness) continue;
    Status s;
    try {
      s = c.check();
    } catch (const std::exception& e) {
      s = Status::Internal(std::string("check threw: ") + e.what());
    }
    if (s.ok()) {
      detail += "[+]" + c.name + " ok\n";
    } else {
      detail += "[-]" + c.name + " failed: " + s.message() + "\n";
      failed += (failed.empty() ? "" : ", ") + c.name;
    }
  }
  const char* what = kind == Kind::kLiveness ? "livez" : "readyz";
  if (!failed.empty())
    return Response::Text(500, detail + what + " check failed: " + failed + "\n");
  return Response::Text(200, verbose ? detail + what + " check passed\n" : "ok");
}

}  // namespace limen::serving

#include "dashboard/routes.h"

#include <cstdint>
#include <cstdio>
#include <utility>

#include "dashboard/assets.h"

namespace limen::op::dashboard {
namespace {

constexpr std::string_view kIndex = "index.html";
constexpr std::string_view kSchema = "summary.schema.json";

// The page loads nothing but its own files and data: no CDN, no inline script.
constexpr const char kPagePolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

void CommonHeaders(serving::Response& r) {
  r.headers["X-Content-Type-Options"] = "nosniff";
  r.headers["Referrer-Policy"] = "no-referrer";
}

serving::Response ServeFile(const EmbeddedFile& file, const std::string& etag,
                            const serving::Request& request) {
  serving::Response r;
  CommonHeaders(r);
  r.headers["ETag"] = etag;
  r.headers["Cache-Control"] = "no-cache";
  r.content_type = ContentTypeFor(file.name);
  if (file.name == kIndex) r.headers["Content-Security-Policy"] = kPagePolicy;
  const auto inm = request.headers.find("if-none-match");
  if (inm != request.headers.end() && ETagMatches(inm->second, etag)) {
    r.status = 304;
    return r;
  }
  r.body = std::string(file.data);
  return r;
}

serving::Response Redirect(std::string location) {
  serving::Response r = serving::Response::Text(308, "see " + location + "\n");
  CommonHeaders(r);
  r.headers["Location"] = std::move(location);
  return r;
}

}  // namespace

std::string ContentTypeFor(std::string_view name) {
  const auto dot = name.rfind('.');
  const std::string_view ext = dot == std::string_view::npos ? "" : name.substr(dot + 1);
  if (ext == "html") return "text/html; charset=utf-8";
  if (ext == "css") return "text/css; charset=utf-8";
  if (ext == "js") return "text/javascript; charset=utf-8";
  if (ext == "json") return "application/schema+json";
  if (ext == "svg") return "image/svg+xml";
  return "application/octet-stream";
}

std::string ETagFor(std::string_view data) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a 64
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[20];
  std::snprintf(buf, sizeof(buf), "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

bool ETagMatches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.find('*') != std::string_view::npos) return true;
  return !etag.empty() && if_none_match.find(etag) != std::string_view::npos;
}

void AddDashboardRoutes(serving::HttpServer& server, SummarySource summary) {
  server.Route("GET", "/api/v1/summary", [summary = std::move(summary)](const serving::Request&) {
    serving::Response r = serving::Response::Json(200, summary().dump());
    CommonHeaders(r);
    r.headers["Cache-Control"] = "no-store";
    return r;
  });
  for (const EmbeddedFile& file : EmbeddedFiles()) {
    std::string path = "/dashboard/" + std::string(file.name);
    if (file.name == kIndex) path = "/dashboard";
    if (file.name == kSchema) path = "/api/v1/summary/schema";
    server.Route("GET", path, [&file, etag = ETagFor(file.data)](const serving::Request& request) {
      return ServeFile(file, etag, request);
    });
  }
  // A trailing slash would resolve the page's relative URLs one level too deep.
  server.Route("GET", "/dashboard/",
               [](const serving::Request&) { return Redirect("../dashboard"); });
  server.Route("GET", "/", [](const serving::Request&) { return Redirect("dashboard"); });
}

}  // namespace limen::op::dashboard

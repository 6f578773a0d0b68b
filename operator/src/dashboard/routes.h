// The dashboard's HTTP routes on the operator's metrics server (lib/serving HttpServer).
// All are GET; nothing here can change the cluster. The router answers 404 for any other
// path (an unknown asset included) and 405 with `Allow: GET` for another method.
//
//   GET /api/v1/summary         the summary (summary.h) as JSON; Cache-Control: no-store
//   GET /api/v1/summary/schema  its JSON Schema (summary.schema.json)
//   GET /dashboard              the page (assets/index.html)
//   GET /dashboard/<file>       the page's other files (app.css, app.js, ...)
//   GET /dashboard/, GET /      redirects to the page (relative Location)
//
// Every URL the page uses is relative, so it also works under a path prefix (the apiserver's
// service proxy) and through `kubectl port-forward`. Static files carry a strong ETag (a hash
// of their bytes) and `Cache-Control: no-cache`: browsers revalidate and get 304 until the
// binary changes. The page's Content-Security-Policy allows nothing but its own origin.
//
// Thread-safety: handlers are thread-safe if `summary` is; `summary` is called on the
// server's threads, once per request.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "limen/api/codec.h"
#include "limen/serving/http_server.h"

namespace limen::op::dashboard {

using SummarySource = std::function<api::Json()>;

// REQUIRES: before server.Start() (HttpServer::Route).
void AddDashboardRoutes(serving::HttpServer& server, SummarySource summary);

// "text/html; charset=utf-8" etc. from a file name's extension; octet-stream if unknown.
std::string ContentTypeFor(std::string_view file_name);
// A strong ETag ("\"<16 hex digits>\"") for some bytes.
std::string ETagFor(std::string_view data);
// Whether an If-None-Match header value matches `etag` ("*", or a list containing it).
bool ETagMatches(std::string_view if_none_match, std::string_view etag);

}  // namespace limen::op::dashboard

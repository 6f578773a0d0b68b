#include "dashboard/routes.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "dashboard/assets.h"

namespace limen::op::dashboard {
namespace {

using serving::Request;
using serving::Response;

class RoutesTest : public ::testing::Test {
 protected:
  RoutesTest() : server_(serving::HttpServerOptions{}) {
    AddDashboardRoutes(server_, [this] {
      ++calls_;
      return api::Json{{"kind", "Summary"}, {"n", calls_}};
    });
  }
  Response Get(const std::string& path, std::map<std::string, std::string> headers = {}) {
    return server_.Dispatch(Request{"GET", path, {}, std::move(headers), ""});
  }
  serving::HttpServer server_;
  int calls_ = 0;
};

TEST_F(RoutesTest, SummaryIsJsonAndNeverCached) {
  const Response r = Get("/api/v1/summary");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.headers.at("Cache-Control"), "no-store");
  EXPECT_EQ(api::Json::parse(r.body), (api::Json{{"kind", "Summary"}, {"n", 1}}));
  EXPECT_EQ(api::Json::parse(Get("/api/v1/summary").body)["n"], 2) << "built per request";
}

TEST_F(RoutesTest, PageAndAssetsWithTypesAndETags) {
  struct Case {
    std::string path, type, contains;
  };
  const std::vector<Case> cases = {
      {"/dashboard", "text/html; charset=utf-8", "<table id=\"workloads\">"},
      {"/dashboard/app.css", "text/css; charset=utf-8", "--bg"},
      {"/dashboard/app.js", "text/javascript; charset=utf-8", "api/v1/summary"},
      {"/dashboard/render.js", "text/javascript; charset=utf-8", "export function renderTable"},
      {"/dashboard/format.js", "text/javascript; charset=utf-8", "export function el"},
      {"/api/v1/summary/schema", "application/schema+json", "\"$schema\""},
  };
  for (const auto& c : cases) {
    const Response r = Get(c.path);
    EXPECT_EQ(r.status, 200) << c.path;
    EXPECT_EQ(r.content_type, c.type) << c.path;
    EXPECT_NE(r.body.find(c.contains), std::string::npos) << c.path;
    EXPECT_EQ(r.headers.at("ETag"), ETagFor(r.body)) << c.path;
    EXPECT_EQ(r.headers.at("Cache-Control"), "no-cache") << c.path;
    EXPECT_EQ(r.headers.at("X-Content-Type-Options"), "nosniff") << c.path;
    // Revalidation: the same ETag gets 304 without a body.
    const Response again = Get(c.path, {{"if-none-match", r.headers.at("ETag")}});
    EXPECT_EQ(again.status, 304) << c.path;
    EXPECT_TRUE(again.body.empty()) << c.path;
    EXPECT_EQ(Get(c.path, {{"if-none-match", "\"other\""}}).status, 200) << c.path;
  }
  EXPECT_NE(Get("/dashboard").headers.at("Content-Security-Policy").find("default-src 'self'"),
            std::string::npos);
}

TEST_F(RoutesTest, EveryEmbeddedFileIsNonEmptyAndServed) {
  ASSERT_GE(EmbeddedFiles().size(), 6u);
  for (const auto& f : EmbeddedFiles()) {
    EXPECT_GT(f.data.size(), 100u) << f.name;
    const std::string path = f.name == "index.html" ? "/dashboard"
                             : f.name == "summary.schema.json"
                                 ? "/api/v1/summary/schema"
                                 : "/dashboard/" + std::string(f.name);
    EXPECT_EQ(Get(path).body, f.data) << path;
  }
}

TEST_F(RoutesTest, UnknownPathsAre404AndOtherMethods405) {
  for (const char* path : {"/dashboard/nope.js", "/dashboard/../metrics", "/dashboard/index.html",
                           "/api/v1/summaries", "/api/v2/summary"}) {
    EXPECT_EQ(Get(path).status, 404) << path;
  }
  for (const char* method : {"POST", "PUT", "PATCH", "DELETE"}) {
    for (const char* path : {"/api/v1/summary", "/dashboard", "/dashboard/app.js"}) {
      const Response r = server_.Dispatch(Request{method, path, {}, {}, "{}"});
      EXPECT_EQ(r.status, 405) << method << " " << path;
      EXPECT_EQ(r.headers.at("Allow"), "GET") << method << " " << path;
    }
  }
  EXPECT_EQ(calls_, 0) << "a refused request must not build a summary";
}

TEST_F(RoutesTest, RedirectsAreRelative) {
  EXPECT_EQ(Get("/dashboard/").status, 308);
  EXPECT_EQ(Get("/dashboard/").headers.at("Location"), "../dashboard");
  EXPECT_EQ(Get("/").headers.at("Location"), "dashboard");
}

// No absolute URL anywhere in the page: it must work under a path prefix (the apiserver's
// service proxy), through port-forward, and offline (no CDN).
TEST_F(RoutesTest, PageUsesRelativeUrlsOnly) {
  // Every quoted string after these openers is a URL the page loads.
  const std::vector<std::string> openers = {"src=\"", "href=\"", "fetch('",  "fetch(\"",
                                            "from '", "from \"", "import('", "url("};
  size_t urls = 0;
  for (const auto& f : EmbeddedFiles()) {
    if (f.name == "summary.schema.json") continue;
    const std::string text(f.data);
    for (const auto& opener : openers) {
      for (size_t at = text.find(opener); at != std::string::npos; at = text.find(opener, at + 1)) {
        const size_t begin = at + opener.size();
        const size_t end = text.find_first_of("'\")", begin);
        ASSERT_NE(end, std::string::npos) << f.name;
        const std::string url = text.substr(begin, end - begin);
        ++urls;
        EXPECT_NE(url.rfind('/', 0), 0u) << f.name << ": absolute path " << url;
        EXPECT_EQ(url.find("//"), std::string::npos) << f.name << ": external URL " << url;
      }
    }
    EXPECT_EQ(text.find("http://"), std::string::npos) << f.name;
    EXPECT_EQ(text.find("https://"), std::string::npos) << f.name;
    EXPECT_EQ(text.find("method:"), std::string::npos) << f.name << ": the page only GETs";
  }
  EXPECT_GE(urls, 8u) << "the scan found the page's own URLs";
}

TEST_F(RoutesTest, ServedSchemaIsTheSourceFile) {
  std::ifstream in(LIMEN_DASHBOARD_SCHEMA);
  std::stringstream want;
  want << in.rdbuf();
  ASSERT_FALSE(want.str().empty());
  EXPECT_EQ(Get("/api/v1/summary/schema").body, want.str());
  EXPECT_FALSE(api::Json::parse(want.str(), nullptr, false).is_discarded());
}

TEST(RoutesHelpersTest, ContentTypes) {
  EXPECT_EQ(ContentTypeFor("a.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.js"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.css"), "text/css; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("a.svg"), "image/svg+xml");
  EXPECT_EQ(ContentTypeFor("README"), "application/octet-stream");
}

TEST(RoutesHelpersTest, ETags) {
  EXPECT_EQ(ETagFor("a"), ETagFor("a"));
  EXPECT_NE(ETagFor("a"), ETagFor("b"));
  EXPECT_EQ(ETagFor("").size(), 18u);
  const std::string e = ETagFor("x");
  EXPECT_TRUE(ETagMatches(e, e));
  EXPECT_TRUE(ETagMatches("\"old\", " + e, e));
  EXPECT_TRUE(ETagMatches("W/" + e, e));
  EXPECT_TRUE(ETagMatches("*", e));
  EXPECT_FALSE(ETagMatches("\"old\"", e));
  EXPECT_FALSE(ETagMatches("", e));
}

}  // namespace
}  // namespace limen::op::dashboard

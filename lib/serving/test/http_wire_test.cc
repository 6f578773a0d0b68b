#include "http_wire.h"

#include <gtest/gtest.h>

#include <string>

namespace limen::serving::wire {
namespace {

Head MustParse(std::string_view text, Limits limits = {}) {
  HeadResult r = ParseHead(text, limits);
  if (auto* e = std::get_if<Error>(&r)) ADD_FAILURE() << e->status << " " << e->message;
  EXPECT_TRUE(std::holds_alternative<Head>(r));
  return std::holds_alternative<Head>(r) ? std::get<Head>(r) : Head{};
}

Error MustFail(std::string_view text, Limits limits = {}) {
  HeadResult r = ParseHead(text, limits);
  EXPECT_TRUE(std::holds_alternative<Error>(r)) << text;
  return std::holds_alternative<Error>(r) ? std::get<Error>(r) : Error{};
}

TEST(ParseHeadTest, RequestLineHeadersAndQuery) {
  const std::string text =
      "POST /mutate-pods?timeout=10s&a=b%20c&flag HTTP/1.1\r\nHost: x\r\n"
      "Content-Type:  application/json \r\nContent-Length: 12\r\nX-A: 1\r\nx-a: 2\r\n\r\nbody";
  Head h = MustParse(text);
  EXPECT_EQ(h.request.method, "POST");
  EXPECT_EQ(h.request.path, "/mutate-pods");
  EXPECT_EQ(h.request.query.at("timeout"), "10s");
  EXPECT_EQ(h.request.query.at("a"), "b c");
  EXPECT_EQ(h.request.query.at("flag"), "");
  EXPECT_EQ(h.request.headers.at("content-type"), "application/json");
  EXPECT_EQ(h.request.headers.at("x-a"), "1, 2");
  EXPECT_EQ(h.content_length, 12u);
  EXPECT_EQ(h.head_bytes, text.size() - 4);
  EXPECT_TRUE(h.keep_alive);
  EXPECT_FALSE(h.chunked);
}

TEST(ParseHeadTest, IncompleteUntilTheBlankLine) {
  const std::string text = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  for (size_t n = 0; n < text.size(); ++n) {
    EXPECT_TRUE(std::holds_alternative<Incomplete>(ParseHead(text.substr(0, n), {}))) << n;
  }
  EXPECT_EQ(MustParse(text).head_bytes, text.size());
}

TEST(ParseHeadTest, BareLineFeedsAndLeadingEmptyLinesAreAccepted) {
  Head h = MustParse("\r\n\nGET /a%2Fb HTTP/1.1\nHost: x\n\n");
  EXPECT_EQ(h.request.path, "/a/b");
}

TEST(ParseHeadTest, ConnectionSemanticsOfHttp10And11) {
  EXPECT_FALSE(MustParse("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n").keep_alive);
  EXPECT_FALSE(MustParse("GET / HTTP/1.0\r\n\r\n").keep_alive);
  EXPECT_TRUE(MustParse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keep_alive);
  EXPECT_TRUE(MustParse("GET / HTTP/1.1\r\nConnection: upgrade, x\r\n\r\n").keep_alive);
}

TEST(ParseHeadTest, ExpectContinueAndChunked) {
  Head h =
      MustParse("POST / HTTP/1.1\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n");
  EXPECT_TRUE(h.expect_continue);
  EXPECT_TRUE(h.chunked);
  EXPECT_EQ(MustFail("POST / HTTP/1.1\r\nExpect: magic\r\n\r\n").status, 417);
  EXPECT_EQ(MustFail("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n").status, 501);
}

TEST(ParseHeadTest, SmugglingShapesAreRejected) {
  EXPECT_EQ(MustFail("POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n")
                .message,
            "both Content-Length and Transfer-Encoding");
  EXPECT_EQ(MustFail("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n").message,
            "conflicting Content-Length headers");
  EXPECT_EQ(MustFail("POST / HTTP/1.1\r\nContent-Length: -3\r\n\r\n").message,
            "malformed Content-Length");
  EXPECT_EQ(MustFail("POST / HTTP/1.1\r\nContent-Length: 3 4\r\n\r\n").message,
            "malformed Content-Length");
  EXPECT_EQ(MustFail("GET / HTTP/1.1\r\nHost : x\r\n\r\n").message, "malformed header name");
  EXPECT_EQ(MustFail("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n").message,
            "obsolete header line folding");
  EXPECT_EQ(MustFail("GET / HTTP/1.1\r\nA: b\x01\r\n\r\n").message,
            "control character in header A");
  // Identical duplicates are harmless.
  EXPECT_EQ(
      MustParse("POST / HTTP/1.1\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\n").content_length,
      3u);
}

TEST(ParseHeadTest, MalformedRequestLines) {
  EXPECT_EQ(MustFail("GET\r\n\r\n").message, "malformed request line");
  EXPECT_EQ(MustFail("GET  / HTTP/1.1\r\n\r\n").message, "malformed request line");
  EXPECT_EQ(MustFail("G(T / HTTP/1.1\r\n\r\n").message, "malformed method");
  EXPECT_EQ(MustFail("GET http://x/ HTTP/1.1\r\n\r\n").message,
            "request target must be an absolute path");
  EXPECT_EQ(MustFail("GET /%zz HTTP/1.1\r\n\r\n").message, "malformed percent-escape in path");
  EXPECT_EQ(MustFail("GET / HTTP/2.0\r\n\r\n").status, 505);
  EXPECT_EQ(MustFail("GET / HTTP/1.1\r\nno colon\r\n\r\n").message, "header line without a colon");
}

TEST(ParseHeadTest, LimitsAreCheckedBeforeBuffering) {
  Limits limits;
  limits.max_head_bytes = 64;
  limits.max_body_bytes = 10;
  // A head that has not ended but is already over the limit fails without waiting.
  EXPECT_EQ(MustFail("GET / HTTP/1.1\r\nX: " + std::string(100, 'a'), limits).status, 431);
  const Error big = MustFail("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", limits);
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.message, "request body of 11 bytes exceeds the limit of 10");
  EXPECT_EQ(MustFail("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n").message,
            "malformed Content-Length");
}

TEST(DecodeChunkedTest, DecodesWithExtensionsAndTrailers) {
  const std::string body =
      "4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX: y\r\n\r\nNEXT";
  auto r = DecodeChunked(body, 1024);
  ASSERT_TRUE(std::holds_alternative<Chunked>(r));
  EXPECT_EQ(std::get<Chunked>(r).body, "Wikipedia in\r\n\r\nchunks.");
  EXPECT_EQ(std::get<Chunked>(r).consumed, body.size() - 4);
  for (size_t n = 0; n + 4 < body.size(); ++n) {
    EXPECT_TRUE(std::holds_alternative<Incomplete>(DecodeChunked(body.substr(0, n), 1024))) << n;
  }
}

TEST(DecodeChunkedTest, MalformedAndOversizedChunks) {
  auto bad = DecodeChunked("zz\r\nab\r\n0\r\n\r\n", 1024);
  ASSERT_TRUE(std::holds_alternative<Error>(bad));
  EXPECT_EQ(std::get<Error>(bad).message, "malformed chunk size");
  auto missing_crlf = DecodeChunked("2\r\nabX0\r\n\r\n", 1024);
  ASSERT_TRUE(std::holds_alternative<Error>(missing_crlf));
  auto big = DecodeChunked("10\r\n", 8);
  ASSERT_TRUE(std::holds_alternative<Error>(big));
  EXPECT_EQ(std::get<Error>(big).status, 413);
  auto huge = DecodeChunked("ffffffffffffffffff\r\n", 8);
  ASSERT_TRUE(std::holds_alternative<Error>(huge));
}

TEST(PercentDecodeTest, DecodesAndRejectsTruncatedEscapes) {
  std::string out;
  EXPECT_TRUE(PercentDecode("a%20b%2fc+d", out));
  EXPECT_EQ(out, "a b/c+d");
  EXPECT_FALSE(PercentDecode("a%2", out));
  EXPECT_FALSE(PercentDecode("%", out));
  EXPECT_FALSE(PercentDecode("%g0", out));
}

TEST(RenderResponseTest, StatusLineLengthAndHeaders) {
  Response r = Response::Json(201, "{}");
  r.headers["Allow"] = "POST";
  EXPECT_EQ(RenderResponse(r, true),
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
            "Allow: POST\r\n\r\n{}");
  EXPECT_NE(RenderResponse(r, false).find("\r\nConnection: close\r\n"), std::string::npos);
  // The head alone ends with the blank line; the body follows it unchanged.
  EXPECT_EQ(RenderHead(r, true) + r.body, RenderResponse(r, true));
  EXPECT_TRUE(RenderHead(r, false).ends_with("\r\n\r\n"));
}

TEST(RenderResponseTest, HeadersThatWouldSplitTheResponseAreDropped) {
  Response r = Response::Text(200, "x");
  r.headers["X-Bad"] = "a\r\nSet-Cookie: evil";
  r.headers["Bad Name"] = "v";
  r.content_type = "text/plain\r\nX: y";
  const std::string out = RenderResponse(r, true);
  EXPECT_EQ(out.find("evil"), std::string::npos);
  EXPECT_EQ(out.find("Bad Name"), std::string::npos);
  EXPECT_NE(out.find("Content-Type: application/octet-stream"), std::string::npos);
}

}  // namespace
}  // namespace limen::serving::wire

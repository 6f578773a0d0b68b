// HTTP/1.1 on the wire (RFC 9112), as pure functions over bytes: parsing a request head,
// decoding a chunked body, and rendering a response. The server (http_server.cc) owns the
// sockets; everything here is unit-tested and fuzzed without one
// (lib/serving/fuzz/http_request_fuzzer.cc).
//
// The parser is deliberately strict where leniency is a known attack surface: a request
// with both Content-Length and Transfer-Encoding, conflicting Content-Lengths, obsolete
// line folding, or whitespace before a header's colon is rejected (request smuggling), and
// every limit (head size, body size) is checked before the bytes are buffered.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "limen/serving/http_server.h"

namespace limen::serving::wire {

struct Limits {
  size_t max_head_bytes = size_t{64} * 1024;  // request line + headers; more → 431
  size_t max_body_bytes = size_t{4} * 1024 * 1024;
};

// A request head whose body has yet to be read.
struct Head {
  Request request;               // method, path, query, headers (names lower-cased); no body
  size_t head_bytes = 0;         // length of the head including its terminating blank line
  bool keep_alive = true;        // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only if asked
  bool expect_continue = false;  // "Expect: 100-continue": send 100 before reading the body
  bool chunked = false;          // "Transfer-Encoding: chunked"; else content_length bytes
  size_t content_length = 0;
};

// A request the server refuses: answered with `status` and `message`, then the connection is
// closed (after a malformed head, the byte stream cannot be trusted to resynchronise).
struct Error {
  int status = 400;
  std::string message;
};

struct Incomplete {};  // more bytes are needed

using HeadResult = std::variant<Incomplete, Head, Error>;

// Parses the request head at the start of `buffer`. A body larger than the limit is an Error
// (413) as soon as its Content-Length is known.
HeadResult ParseHead(std::string_view buffer, const Limits& limits);

// A complete chunked body: its decoded bytes and how many bytes of the input it took
// (including the trailer section).
struct Chunked {
  std::string body;
  size_t consumed = 0;
};

using ChunkedResult = std::variant<Incomplete, Chunked, Error>;

// Decodes the chunked body at the start of `data` (the bytes after the head). Cheap to call
// again as bytes arrive: it walks the chunk headers and copies only once complete.
ChunkedResult DecodeChunked(std::string_view data, size_t max_body_bytes);

// Percent-decodes `in` ('+' stays '+'); false if an escape is malformed.
bool PercentDecode(std::string_view in, std::string& out);

// The status line and headers of `response` up to and including the blank line, ready to
// write; the body follows. `keep_alive` false adds "Connection: close". Header names or
// values containing CR or LF are dropped (a handler bug must not become response splitting).
std::string RenderHead(const Response& response, bool keep_alive);

// RenderHead followed by the body.
std::string RenderResponse(const Response& response, bool keep_alive);

// "HTTP/1.1 100 Continue\r\n\r\n".
std::string_view ContinueLine();

}  // namespace limen::serving::wire

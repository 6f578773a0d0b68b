#include "http_wire.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <map>
#include <vector>

namespace limen::serving::wire {
namespace {

bool IsTokenChar(unsigned char c) {
  // RFC 9110 tchar.
  static constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         kSpecials.find(static_cast<char>(c)) != std::string_view::npos;
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return IsTokenChar(static_cast<unsigned char>(c));
  });
}

// Field values: visible characters, spaces, tabs and obs-text; no controls.
bool IsFieldValue(std::string_view s) {
  return std::none_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7f;
  });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Whether the comma-separated header value `list` contains `token` (case-insensitive).
bool ListHas(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    if (Lower(Trim(list.substr(0, comma))) == token) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// The next line of `s` from `pos` (without its CRLF or bare LF); npos-terminated if none.
bool NextLine(std::string_view s, size_t& pos, std::string_view& line) {
  const size_t lf = s.find('\n', pos);
  if (lf == std::string_view::npos) return false;
  size_t end = lf;
  if (end > pos && s[end - 1] == '\r') --end;
  line = s.substr(pos, end - pos);
  pos = lf + 1;
  return true;
}

Error Bad(std::string message) { return Error{400, std::move(message)}; }

bool ParseDecimal(std::string_view s, size_t& out) {
  if (s.empty() || s.size() > 18) return false;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return false;
  out = static_cast<size_t>(v);
  return true;
}

void ParseQuery(std::string_view q, std::map<std::string, std::string>& out) {
  while (!q.empty()) {
    const size_t amp = q.find('&');
    const std::string_view pair = q.substr(0, amp);
    const size_t eq = pair.find('=');
    std::string key, value;
    std::string k(pair.substr(0, eq));
    std::string v(eq == std::string_view::npos ? "" : pair.substr(eq + 1));
    std::replace(k.begin(), k.end(), '+', ' ');
    std::replace(v.begin(), v.end(), '+', ' ');
    // A malformed escape in the query keeps the raw text: queries are advisory here.
    if (!PercentDecode(k, key)) key = k;
    if (!PercentDecode(v, value)) value = v;
    if (!key.empty()) out[key] = value;
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
}

std::variant<Error, std::monostate> ParseRequestLine(std::string_view line, Request& r,
                                                     bool& http10) {
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Bad("malformed request line");
  }
  const std::string_view method = line.substr(0, sp1);
  const std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method)) return Bad("malformed method");
  if (version == "HTTP/1.0") {
    http10 = true;
  } else if (version != "HTTP/1.1") {
    return Error{505, "HTTP version not supported: only HTTP/1.0 and HTTP/1.1"};
  }
  if (target.empty() || target.front() != '/') {
    return Bad("request target must be an absolute path");
  }
  const size_t qmark = target.find('?');
  if (!PercentDecode(target.substr(0, qmark), r.path))
    return Bad("malformed percent-escape in path");
  if (qmark != std::string_view::npos) ParseQuery(target.substr(qmark + 1), r.query);
  r.method = std::string(method);
  return std::monostate{};
}

// Applies the framing headers (Content-Length, Transfer-Encoding, Connection, Expect).
std::variant<Error, std::monostate> ApplyFraming(Head& h, bool http10, bool saw_length,
                                                 const Limits& limits) {
  const auto& headers = h.request.headers;
  if (auto te = headers.find("transfer-encoding"); te != headers.end()) {
    if (saw_length) return Bad("both Content-Length and Transfer-Encoding");
    if (Lower(Trim(te->second)) != "chunked") {
      return Error{501, "unsupported Transfer-Encoding: " + te->second};
    }
    h.chunked = true;
  }
  if (h.content_length > limits.max_body_bytes) {
    return Error{413, "request body of " + std::to_string(h.content_length) +
                          " bytes exceeds the limit of " + std::to_string(limits.max_body_bytes)};
  }
  const auto conn = headers.find("connection");
  if (http10) {
    h.keep_alive = conn != headers.end() && ListHas(conn->second, "keep-alive");
  } else {
    h.keep_alive = conn == headers.end() || !ListHas(conn->second, "close");
  }
  if (auto ex = headers.find("expect"); ex != headers.end()) {
    if (Lower(Trim(ex->second)) != "100-continue") {
      return Error{417, "unsupported Expect: " + ex->second};
    }
    h.expect_continue = !http10;
  }
  return std::monostate{};
}

std::string_view Reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Status";
  }
}

bool Safe(std::string_view s) { return s.find_first_of("\r\n") == std::string_view::npos; }

}  // namespace

HeadResult ParseHead(std::string_view buffer, const Limits& limits) {
  // Tolerate empty lines before the request line (RFC 9112 §2.2).
  size_t pos = 0;
  while (pos < buffer.size() && (buffer[pos] == '\r' || buffer[pos] == '\n')) ++pos;
  const size_t end_of_head = buffer.find("\n\r\n", pos);
  const size_t end_bare = buffer.find("\n\n", pos);
  const size_t end = std::min(end_of_head == std::string_view::npos ? end_of_head : end_of_head + 3,
                              end_bare == std::string_view::npos ? end_bare : end_bare + 2);
  if (end == std::string_view::npos) {
    if (buffer.size() > limits.max_head_bytes) {
      return Error{431, "request head exceeds " + std::to_string(limits.max_head_bytes) + " bytes"};
    }
    return Incomplete{};
  }
  if (end > limits.max_head_bytes) {
    return Error{431, "request head exceeds " + std::to_string(limits.max_head_bytes) + " bytes"};
  }
  const std::string_view head = buffer.substr(0, end);
  Head h;
  h.head_bytes = end;
  bool http10 = false;
  std::string_view line;
  NextLine(head, pos, line);
  if (auto r = ParseRequestLine(line, h.request, http10); std::holds_alternative<Error>(r)) {
    return std::get<Error>(r);
  }
  bool saw_length = false;
  while (NextLine(head, pos, line) && !line.empty()) {
    if (line.front() == ' ' || line.front() == '\t') return Bad("obsolete header line folding");
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Bad("header line without a colon");
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = Trim(line.substr(colon + 1));
    if (!IsToken(name)) return Bad("malformed header name");
    if (!IsFieldValue(value)) return Bad("control character in header " + std::string(name));
    std::string key = Lower(name);
    if (key == "content-length") {
      size_t n = 0;
      if (!ParseDecimal(value, n)) return Bad("malformed Content-Length");
      if (saw_length && n != h.content_length) return Bad("conflicting Content-Length headers");
      saw_length = true;
      h.content_length = n;
      h.request.headers[key] = std::string(value);
      continue;
    }
    std::string& slot = h.request.headers[key];
    if (!slot.empty()) slot += ", ";
    slot += value;
  }
  if (auto r = ApplyFraming(h, http10, saw_length, limits); std::holds_alternative<Error>(r)) {
    return std::get<Error>(r);
  }
  return h;
}

ChunkedResult DecodeChunked(std::string_view data, size_t max_body_bytes) {
  // First pass: walk the chunk headers to find the end; second: copy the data.
  struct Span {
    size_t offset, size;
  };
  std::vector<Span> spans;
  size_t pos = 0, total = 0;
  std::string_view line;
  for (;;) {
    if (!NextLine(data, pos, line)) {
      return data.size() - pos > 1024 ? ChunkedResult{Bad("malformed chunk header")}
                                      : ChunkedResult{Incomplete{}};
    }
    const std::string_view size_text = line.substr(0, line.find(';'));  // chunk extensions
    uint64_t size = 0;
    const std::string_view digits = Trim(size_text);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), size, 16);
    if (digits.empty() || digits.size() > 15 || ec != std::errc() ||
        end != digits.data() + digits.size()) {
      return Bad("malformed chunk size");
    }
    if (size == 0) break;
    total += static_cast<size_t>(size);
    if (total > max_body_bytes) {
      return Error{413, "chunked request body exceeds the limit of " +
                            std::to_string(max_body_bytes) + " bytes"};
    }
    if (data.size() - pos < size + 1) return Incomplete{};
    spans.push_back({pos, static_cast<size_t>(size)});
    pos += static_cast<size_t>(size);
    if (data[pos] == '\r') {
      if (data.size() - pos < 2) return Incomplete{};
      ++pos;
    }
    if (data[pos] != '\n') return Bad("chunk data not followed by CRLF");
    ++pos;
  }
  // Trailer section: header lines up to an empty line; ignored.
  for (;;) {
    if (!NextLine(data, pos, line)) {
      return data.size() - pos > 8192 ? ChunkedResult{Bad("chunked trailer too long")}
                                      : ChunkedResult{Incomplete{}};
    }
    if (line.empty()) break;
  }
  Chunked out;
  out.body.reserve(total);
  for (const Span& s : spans) out.body.append(data.substr(s.offset, s.size));
  out.consumed = pos;
  return out;
}

bool PercentDecode(std::string_view in, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out.push_back(in[i]);
      continue;
    }
    if (in.size() - i < 3) return false;
    unsigned value = 0;
    auto [end, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16);
    if (ec != std::errc() || end != in.data() + i + 3) return false;
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return true;
}

std::string RenderHead(const Response& response, bool keep_alive) {
  std::string out;
  out.reserve(160);
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += Reason(response.status);
  out += "\r\nContent-Type: ";
  out += Safe(response.content_type) ? response.content_type : "application/octet-stream";
  out += "\r\nContent-Length: ";
  out += std::to_string(response.body.size());
  if (!keep_alive) out += "\r\nConnection: close";
  for (const auto& [name, value] : response.headers) {
    if (!IsToken(name) || !Safe(value)) continue;
    out += "\r\n";
    out += name;
    out += ": ";
    out += value;
  }
  out += "\r\n\r\n";
  return out;
}

std::string RenderResponse(const Response& response, bool keep_alive) {
  std::string out = RenderHead(response, keep_alive);
  out += response.body;
  return out;
}

std::string_view ContinueLine() { return "HTTP/1.1 100 Continue\r\n\r\n"; }

}  // namespace limen::serving::wire

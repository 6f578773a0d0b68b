// Fuzzes what lib/serving parses from the network: request heads, chunked bodies and
// percent-escapes, and checks the parser's invariants (no read past the input, limits hold,
// a complete chunked body is never longer than its encoding). Seed corpus:
// corpus/http_request, replayed in ctest (fuzz_corpus.http_request).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http_wire.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace limen::serving::wire;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  Limits limits;
  limits.max_head_bytes = 4096;
  limits.max_body_bytes = 1 << 16;
  HeadResult head = ParseHead(in, limits);
  if (auto* h = std::get_if<Head>(&head)) {
    Check(h->head_bytes <= in.size() && h->head_bytes <= limits.max_head_bytes);
    Check(h->content_length <= limits.max_body_bytes);
    Check(!h->request.path.empty() && h->request.path.front() == '/');
    const std::string_view rest = in.substr(h->head_bytes);
    ChunkedResult body = DecodeChunked(rest, limits.max_body_bytes);
    if (auto* c = std::get_if<Chunked>(&body)) {
      Check(c->consumed <= rest.size() && c->body.size() <= c->consumed);
      Check(c->body.size() <= limits.max_body_bytes);
    }
    limen::serving::Response r;
    r.status = static_cast<int>(size % 600);
    r.body = std::string(rest);
    for (const auto& [k, v] : h->request.headers) r.headers[k] = v;
    const std::string out = RenderResponse(r, h->keep_alive);
    Check(out.size() >= r.body.size());
  } else if (auto* e = std::get_if<Error>(&head)) {
    Check(e->status >= 400 && e->status < 600 && !e->message.empty());
  }
  std::string decoded;
  if (PercentDecode(in, decoded)) Check(decoded.size() <= in.size());
  return 0;
}

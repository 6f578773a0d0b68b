#include "limen/kube/watch_decoder.h"

#include <gtest/gtest.h>

#include <string>

namespace limen::kube {
namespace {

// An ADDED event line whose object holds "é", a two-byte UTF-8 sequence.
constexpr char kAdded[] = R"({"type":"ADDED","object":{"kind":"ConfigMap","metadata":{"name":"caf)"
                          "\xc3\xa9"  // "é": a two-byte UTF-8 sequence
                          R"("},"data":{"k":"v"}}})"
                          "\n";

TEST(WatchDecoderTest, EveryChunkingGivesTheSameEvents) {
  const std::string stream = std::string(kAdded) +
                             R"({"type":"MODIFIED","object":{"metadata":{"name":"b"}}})"
                             "\n" +
                             R"({"type":"DELETED","object":{"metadata":{"name":"b"}}})"
                             "\n";
  // Split at every byte, including between the two bytes of "é".
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    WatchDecoder d;
    auto events = d.Feed(std::string_view(stream).substr(0, cut));
    auto more = d.Feed(std::string_view(stream).substr(cut));
    events.insert(events.end(), more.begin(), more.end());
    ASSERT_EQ(events.size(), 3u) << "cut at " << cut;
    EXPECT_EQ(events[0].type, WatchEvent::Type::kAdded);
    EXPECT_EQ(events[0].object["metadata"]["name"], "caf\xc3\xa9");
    EXPECT_EQ(events[1].type, WatchEvent::Type::kModified);
    EXPECT_EQ(events[2].type, WatchEvent::Type::kDeleted);
    EXPECT_EQ(d.malformed_lines(), 0u);
    EXPECT_EQ(d.buffered_bytes(), 0u);
  }
}

TEST(WatchDecoderTest, ByteAtATime) {
  WatchDecoder d;
  size_t n = 0;
  for (const char c : std::string(kAdded) + kAdded) n += d.Feed(std::string_view(&c, 1)).size();
  EXPECT_EQ(n, 2u);
}

TEST(WatchDecoderTest, MalformedLinesAreSkippedAndCounted) {
  WatchDecoder d;
  const uint64_t before = MalformedWatchLinesTotal();
  auto events = d.Feed(
      "not json\n"
      "[1,2]\n"
      "{\"type\":\"ADDED\"}\n"
      "{\"type\":\"EXPLODED\",\"object\":{}}\n"
      "{\"type\":7,\"object\":{}}\n"
      "\n"
      "\r\n" +
      std::string(kAdded) + "{\"type\":\"ADD");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(d.malformed_lines(), 5u);
  EXPECT_EQ(MalformedWatchLinesTotal() - before, 5u);
  // A truncated last line at end of stream is malformed too.
  EXPECT_FALSE(d.Finish());
  EXPECT_EQ(d.malformed_lines(), 6u);
}

TEST(WatchDecoderTest, ErrorEventCarriesTheStatus) {
  WatchDecoder d;
  auto events = d.Feed(
      R"j({"type":"ERROR","object":{"kind":"Status","code":410,"reason":"Expired","message":"too old resource version: 1 (5)"}})j"
      "\r\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].type, WatchEvent::Type::kError);
  EXPECT_EQ(events[0].object["code"], 410);
}

// A watch-list ends at a BOOKMARK annotated k8s.io/initial-events-end: a field filter that
// drops annotations must not hide it (it still applies to the other events).
TEST(WatchDecoderTest, FilterLeavesBookmarksWhole) {
  WatchDecoder d(WatchDecoder::kDefaultMaxLineBytes, FieldMask::Keeping({{"metadata", "labels"}}));
  auto events = d.Feed(
      R"j({"type":"ADDED","object":{"metadata":{"name":"a","annotations":{"x":"1"}}}})j"
      "\n"
      R"j({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9","annotations":{"k8s.io/initial-events-end":"true"}}}})j"
      "\n");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_FALSE(events[0].object["metadata"].contains("annotations"));
  EXPECT_EQ(events[1].object["metadata"]["annotations"][kInitialEventsEndAnnotation], "true");
}

TEST(WatchDecoderTest, FinishDecodesACompleteUnterminatedLine) {
  WatchDecoder d;
  EXPECT_TRUE(
      d.Feed(R"({"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}})").empty());
  auto last = d.Finish();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->type, WatchEvent::Type::kBookmark);
}

TEST(WatchDecoderTest, OverlongLineIsDroppedUpToItsNewline) {
  WatchDecoder d(/*max_line_bytes=*/64);
  auto events = d.Feed(std::string(50, 'x'));
  events = d.Feed(std::string(50, 'y'));  // now over the limit: dropped
  EXPECT_EQ(d.malformed_lines(), 1u);
  EXPECT_EQ(d.buffered_bytes(), 0u);
  events = d.Feed(std::string(10, 'z') + "\n" +
                  R"({"type":"ADDED","object":{}})"
                  "\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(d.malformed_lines(), 1u);
}

}  // namespace
}  // namespace limen::kube

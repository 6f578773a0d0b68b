#include "../src/list_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "filter_fixtures.h"

namespace limen::kube::internal {
namespace {

using testing::SameJson;
using testing::TestFilters;

const std::string kPod =
    R"({"metadata":{"name":"p","namespace":"ns","uid":"u","labels":{"app":"a\"b"},)"
    R"("managedFields":[{"manager":"kubectl"}]},"spec":{"nodeName":"n1","containers":)"
    R"([{"name":"c","args":["x\\","\\\""]}]},"status":{"phase":"Running"}})";

std::string List(const std::string& items, const std::string& after = "") {
  return R"({"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9"},"items":)" +
         items + after + "}";
}

// Hands `body` over in pieces of `step` bytes, then finishes.
Object Read(std::string_view body, size_t step, const FieldFilter* filter) {
  ListReader reader(filter);
  for (size_t n = 0; n < body.size(); n += step) reader.Append(body.substr(n, step));
  return reader.Finish();
}

bool SameAsWholeParse(const std::string& body, size_t step, const FieldFilter* filter) {
  return SameJson(Read(body, step, filter), ParseFiltered(body, filter, {"items"}));
}

TEST(ListReaderTest, GivesTheWholeBodyParseWhereverTheBytesAreCut) {
  const std::string body = List("[" + kPod + ",\n " + kPod + " ]");
  for (const FieldFilter* filter :
       {static_cast<const FieldFilter*>(nullptr), TestFilters::Get().projection.get(),
        TestFilters::Get().except.get()}) {
    ASSERT_EQ(ParseFiltered(body, filter, {"items"})["items"].size(), 2u);
    for (size_t step = 1; step <= body.size(); ++step) {
      ASSERT_TRUE(SameAsWholeParse(body, step, filter)) << "step " << step;
    }
  }
}

TEST(ListReaderTest, ParsesEachItemWhenItsLastByteArrivesAndLetsItsTextGo) {
  const std::string first = "[" + kPod;
  const std::string body = List(first + "," + kPod + "]");
  const size_t first_end = body.find(first) + first.size();
  ListReader reader(TestFilters::Get().projection.get());
  reader.Append(std::string_view(body).substr(0, first_end - 1));
  EXPECT_EQ(reader.items_read(), 0u);
  reader.Append(std::string_view(body).substr(first_end - 1, 1));
  EXPECT_EQ(reader.items_read(), 1u);
  // Only the envelope read so far is held, not the item's text.
  EXPECT_EQ(reader.bytes_held(), first_end - kPod.size());
  reader.Append(std::string_view(body).substr(first_end));
  EXPECT_EQ(reader.items_read(), 2u);
  const Object list = reader.Finish();
  EXPECT_EQ(list["metadata"]["resourceVersion"], "9");
  EXPECT_EQ(list["items"][1]["spec"], Object({{"nodeName", "n1"}}));
}

TEST(ListReaderTest, OddButValidListsDecodeAsAWholeParseDoes) {
  const char* cases[] = {
      R"({"items":[{"a":1}],"items":[]})",        // the last "items" wins
      R"({"items":7,"items":[{"a":1}]})",         // ... also over a non-array
      R"({"items":[{"a":1}],"\u0069tems":[2]})",  // an escaped key
      R"({"\u0069tems":[{"a":1}],"kind":"L"})",
      R"({"items":[1,"two\"",null,-0.5e3,[],{}]})",  // items that are not objects
      R"({"items":{"a":[1]}})",                      // not an array
      R"({"kind":"Status","code":410})",             // no items
      R"([{"items":[]}])",                           // not an object
      " \n{\"items\" : [ ] } \n",
  };
  for (const std::string body : cases) {
    for (size_t step : {1, 2, 5, 100}) {
      EXPECT_TRUE(SameAsWholeParse(body, step, nullptr)) << body << " step " << step;
    }
    EXPECT_FALSE(Read(body, 3, nullptr).is_discarded()) << body;
  }
}

TEST(ListReaderTest, InvalidBodiesAreDiscarded) {
  const std::string cases[] = {
      List(R"([{"a":1},])"),           // trailing comma
      List(R"([{"a":1},{"b":tru}])"),  // an invalid item
      List(R"([{"a":[1}])"),           // unbalanced
      List("[1 2]"),                   // no comma
      List("[]") + " x",               // trailing garbage
      List("[]") + "{}",               // a second value
      List(R"([{"a":"\q"}])"),         // a bad escape
      "{\"items\":[{\"a\":1}",         // cut short
      R"({"items":[1],"x"})",          // a key without a value
  };
  for (const std::string& body : cases) {
    EXPECT_TRUE(Read(body, 4, TestFilters::Get().projection.get()).is_discarded()) << body;
    EXPECT_TRUE(SameAsWholeParse(body, 1, nullptr)) << body;
  }
}

TEST(ListReaderTest, AnEscapeSplitAcrossPiecesIsNotAnEndOfString) {
  const std::string body = List(R"([{"a":"x\\\"],\\"},"\\\"",{"b":"\\"}])");
  for (size_t cut = 1; cut < body.size(); ++cut) {
    ListReader reader(nullptr);
    reader.Append(std::string_view(body).substr(0, cut));
    reader.Append(std::string_view(body).substr(cut));
    ASSERT_TRUE(SameJson(reader.Finish(), ParseFiltered(body, nullptr, {"items"})))
        << "cut at " << cut;
  }
}

}  // namespace
}  // namespace limen::kube::internal

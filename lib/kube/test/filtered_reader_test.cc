// ReadFiltered (the filtering JSON reader behind ParseFiltered) against nlohmann's parser:
// the same verdict and, when accepted, the same value — down to number types and the sign
// of zero — on hand-picked documents, on generated ones, and on their mutations.
#include "../src/filtered_reader.h"

#include <gtest/gtest.h>

#include <random>

#include "filter_fixtures.h"

namespace limen::kube::internal {
namespace {

using nlohmann::json;
using testing::SameJson;

struct Case {
  const FieldFilter* filter;
  std::vector<std::string> object_path;
};

std::vector<Case> Cases() {
  const auto& f = testing::TestFilters::Get();
  const FieldFilter* projection = f.projection.get();
  const FieldFilter* except = f.except.get();
  const FieldFilter* nothing = f.nothing.get();
  return {{nullptr, {}},    {projection, {}},         {projection, {"items"}},
          {except, {}},     {except, {"object"}},     {nothing, {}},
          {nothing, {"a"}}, {projection, {"a", "b"}}, {except, {""}}};
}

// The reader's verdict on `doc` agrees with nlohmann's under every filter: accepted with the
// same value, or rejected as invalid when nlohmann rejects it too. Returns the status.
ReadResult::Status Check(std::string_view doc) {
  ReadResult::Status first = ReadResult::kInvalid;
  bool any = false;
  for (const Case& c : Cases()) {
    const ReadResult got = ReadFiltered(doc, c.filter, c.object_path);
    const json want = ParseFilteredByNlohmann(doc, c.filter, c.object_path);
    if (got.status == ReadResult::kOk) {
      EXPECT_FALSE(want.is_discarded()) << "accepted what nlohmann rejects: " << doc;
      EXPECT_TRUE(SameJson(got.value, want))
          << doc << "\n got " << got.value.dump() << "\nwant " << want.dump();
    } else if (got.status == ReadResult::kInvalid) {
      EXPECT_TRUE(want.is_discarded()) << "rejected what nlohmann accepts: " << doc;
    }
    // The public entry point gives nlohmann's answer whatever the reader said.
    EXPECT_TRUE(SameJson(ParseFiltered(doc, c.filter, c.object_path), want)) << doc;
    if (!any) first = got.status;
    EXPECT_EQ(got.status, first) << "the verdict depends on the filter: " << doc;
    any = true;
  }
  return first;
}

TEST(ReadFiltered, AcceptsValidDocumentsAsNlohmannDoes) {
  const char* docs[] = {
      "{}",
      "[]",
      " \t\r\n{ } ",
      "null",
      "true",
      "false",
      "\"\"",
      "0",
      "-0",
      "1",
      "-1",
      "18446744073709551615",
      "18446744073709551616",
      "-9223372036854775808",
      "-9223372036854775809",
      "9223372036854775808",
      "1.5",
      "-0.0",
      "0.0",
      "1e10",
      "1E-10",
      "1e+2",
      "-1.25e-3",
      "1.7976931348623157e308",
      "5e-324",
      "2.2250738585072014e-308",
      "0.1",
      "123456789012345678901234567890",
      "[1, -2, 3.5, 1e2, 0, -0]",
      R"("\u0000")",
      R"("\uD83D\uDE00")",
      "\"\xC3\xA9\xF0\x9F\x98\x80\xE2\x82\xAC\"",
      R"("\"\\\/\b\f\n\r\t")",
      "\"\x7F\"",
      R"("\u00e9\u20AC")",
      R"({"a": {"b": 1, "c": [1, {"b": 2}]}, "a": 3})",  // a repeated key: the last wins
      R"({"metadata": {"name": "x", "managedFields": [{"f:a": {}}], "labels": {"k": "v"}}})",
      R"({"items": [{"metadata": {"name": "p", "annotations": {"limen.dev/x": "1", "o": "2"}},
          "spec": {"nodeName": "n", "containers": [{"name": "c"}]},
          "status": {"containerStatuses": [{"name": "c", "ready": true}]}}], "metadata": {}})",
      R"({"type": "ADDED", "object": {"kind": "Pod", "spec": {"nodeName": "n"}, "x": null}})",
      R"({"": {"": {"a": {"b": [1]}}}, "a": {"": {"b": 2}, "b": 3}})",
      R"({"a\u0062": 1, "a": {"\u0062": 2, "b\"": 3}, "\ud83d\ude00": {"b": 4}})",
      R"({"items": [[{"spec": {"nodeName": "n", "x": 1}}], {"a": {"b": 1}}]})",
  };
  for (const char* doc : docs) {
    SCOPED_TRACE(doc);
    EXPECT_EQ(Check(doc), ReadResult::kOk);
  }
}

TEST(ReadFiltered, RejectsInvalidDocumentsAsNlohmannDoes) {
  const std::string docs[] = {
      "",
      " ",
      "{",
      "}",
      "[",
      "]",
      R"({"a"})",
      R"({"a":})",
      "[1,]",
      R"({"a":1,})",
      "01",
      "1.",
      ".5",
      "-",
      "1e",
      "1e+",
      "+1",
      "tru",
      "nul",
      "fals",
      "truex",
      "NaN",
      "Infinity",
      "\"abc",
      R"("\x")",
      R"("\u12")",
      R"("\u12G4")",
      R"("\uD800")",
      R"("\uDC00")",
      R"("\uD800\u0041")",
      R"("\uD800\n")",
      "\"\x01\"",
      "\"\x1F\"",
      "\"\xC0\xAF\"",
      "\"\xC1\xBF\"",
      "\"\xE0\x80\xAF\"",
      "\"\xED\xA0\x80\"",
      "\"\xF0\x80\x80\xAF\"",
      "\"\xF4\x90\x80\x80\"",
      "\"\xF5\x80\x80\x80\"",
      "\"\xFF\"",
      "\"\xC3\"",
      "\"\xE2\x82\"",
      "\"\x80\"",
      "{} {}",
      "{}x",
      "[1 2]",
      R"({"a" 1})",
      "{1:2}",
      R"({"a":1 "b":2})",
      "[1,,2]",
      std::string("\0", 1),
      std::string("{\"a\":\0}", 7),
      std::string("[\0]", 3),
      "[1]]",
      "{\"a\":[}",
      "\"a\"\"b\"",
      // Invalid only in a member that every filter but "none" drops.
      R"({"a": {"b": 1, "c": [1, tru]}})",
      R"({"metadata": {"managedFields": [01]}})",
      "{\"status\": {\"x\": \"\xED\xBF\xBF\"}}",
      R"({"status": {"x": "\uDBFF"}})",
      R"({"spec": {"x": [1, {"y": 2}}]}})",
      // A float that overflows, kept or dropped: nlohmann rejects the document.
      "1e400",
      "-1e400",
      R"({"status": {"x": 1e999}})",
  };
  for (const std::string& doc : docs) {
    SCOPED_TRACE(doc);
    Check(doc);
    EXPECT_TRUE(ParseFiltered(doc, nullptr, {}).is_discarded());
  }
}

TEST(ReadFiltered, LeavesTheRareValidDocumentsItDoesNotHandleToNlohmann) {
  // A byte-order mark, a float that underflows, nesting beyond kMaxDepth, a NUL byte after
  // the value (nlohmann's end of input): valid for nlohmann, and ParseFiltered still gives
  // its value.
  const std::string deep = std::string(kMaxDepth + 1, '[') + std::string(kMaxDepth + 1, ']');
  for (const std::string& doc : {std::string("\xEF\xBB\xBF{\"a\": 1}"), std::string("1e-400"),
                                 std::string(R"({"status": {"x": 1e-999}})"), deep,
                                 std::string("{} \0 x", 6), std::string("1e99\0\0c}}", 9)}) {
    SCOPED_TRACE(doc.substr(0, 40));
    EXPECT_EQ(Check(doc), ReadResult::kUnsupported);
    EXPECT_FALSE(ParseFiltered(doc, nullptr, {}).is_discarded());
  }
  const std::string deep_ok = std::string(kMaxDepth, '[') + std::string(kMaxDepth, ']');
  EXPECT_EQ(Check(deep_ok), ReadResult::kOk);
}

// Random documents over a vocabulary of keys that the filters above name, with every kind
// of value, written with random whitespace.
class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  std::string Document() {
    std::string out;
    Value(out, 0);
    return out;
  }

 private:
  size_t Pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }

  void Ws(std::string& out) {
    static const char* const kWs[] = {"", "", "", " ", "\n", "\t", "\r\n  "};
    out += kWs[Pick(std::size(kWs))];
  }

  void String(std::string& out) {
    static const char* const kStrings[] = {"metadata",
                                           "managedFields",
                                           "labels",
                                           "annotations",
                                           "limen.dev/x",
                                           "spec",
                                           "nodeName",
                                           "status",
                                           "containerStatuses",
                                           "name",
                                           "items",
                                           "object",
                                           "a",
                                           "b",
                                           "",
                                           "kind",
                                           "uid",
                                           R"(\u0061)",
                                           R"(a\"b)",
                                           R"(\n\t)",
                                           "\xC3\xA9",
                                           R"(\uD83D\uDE00)",
                                           "x y z",
                                           R"(\/\\)",
                                           R"(\u0000)"};
    out += '"';
    out += kStrings[Pick(std::size(kStrings))];
    out += '"';
  }

  void Number(std::string& out) {
    static const char* const kNumbers[] = {"0",
                                           "-0",
                                           "7",
                                           "-7",
                                           "42.5",
                                           "-0.0",
                                           "1e3",
                                           "2E-2",
                                           "1.5e+10",
                                           "18446744073709551615",
                                           "18446744073709551616",
                                           "-9223372036854775808",
                                           "-9223372036854775809",
                                           "3.141592653589793",
                                           "5e-324"};
    out += kNumbers[Pick(std::size(kNumbers))];
  }

  void Value(std::string& out, int depth) {
    const size_t kind = Pick(depth > 6 ? 6 : 8);
    switch (kind) {
      case 0: String(out); break;
      case 1:
      case 2: Number(out); break;
      case 3: out += "true"; break;
      case 4: out += "false"; break;
      case 5: out += "null"; break;
      case 6: Container(out, depth, '{', '}'); break;
      default: Container(out, depth, '[', ']'); break;
    }
  }

  void Container(std::string& out, int depth, char open, char close) {
    out += open;
    const size_t n = Pick(5);
    for (size_t i = 0; i < n; ++i) {
      if (i > 0) out += ',';
      Ws(out);
      if (open == '{') {
        String(out);
        Ws(out);
        out += ':';
        Ws(out);
      }
      Value(out, depth + 1);
      Ws(out);
    }
    out += close;
  }

  std::mt19937 rng_;
};

TEST(ReadFiltered, AgreesWithNlohmannOnGeneratedDocumentsAndTheirMutations) {
  Generator gen(20261127);
  std::mt19937 rng(7);
  size_t accepted = 0, rejected = 0;
  for (int i = 0; i < 1500; ++i) {
    const std::string doc = gen.Document();
    if (Check(doc) == ReadResult::kOk) ++accepted;
    // A mutation: a byte replaced, removed or inserted, or the document cut short.
    std::string bad = doc;
    const size_t at = std::uniform_int_distribution<size_t>(0, bad.size() - 1)(rng);
    static const char kBytes[] = "{}[],:\"\\ 0-.eE+tfnu\x01\x80\xC3\xED\xF4";
    const char byte = kBytes[std::uniform_int_distribution<size_t>(0, sizeof kBytes - 2)(rng)];
    switch (i % 4) {
      case 0: bad[at] = byte; break;
      case 1: bad.erase(at, 1); break;
      case 2: bad.insert(at, 1, byte); break;
      default: bad.resize(at); break;
    }
    if (Check(bad) != ReadResult::kOk) ++rejected;
  }
  // The generator writes valid JSON (the reader accepts all of it), and the mutations give
  // both verdicts.
  EXPECT_EQ(accepted, 1500u);
  EXPECT_GT(rejected, 300u);
}

}  // namespace
}  // namespace limen::kube::internal

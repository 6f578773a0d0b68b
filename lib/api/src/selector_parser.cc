// The string form of label selectors, after k8s.io/apimachinery/pkg/labels/selector.go:
//
//   selector    ::= "" | requirement ("," requirement)*
//   requirement ::= ["!"] KEY [ set-op "(" values ")" | exact-op VALUE | (">"|"<") VALUE ]
//   set-op      ::= "in" | "notin"        exact-op ::= "=" | "==" | "!="
//   values      ::= [VALUE] ("," [VALUE])*
//
// Identifiers run until whitespace or one of = ! ( ) , < >; "in" and "notin" are keywords
// only where an operator is expected. An empty value ("a=", "a in (,x)") is the empty
// label value, as in Go.
#include <string>
#include <vector>

#include "limen/api/selector.h"

namespace limen::api {
namespace {

enum class Tok {
  kEnd,
  kIdent,
  kIn,
  kNotIn,
  kNot,
  kEq,
  kEqEq,
  kNotEq,
  kGt,
  kLt,
  kOpen,
  kClose,
  kComma,
  kError
};

struct Token {
  Tok tok = Tok::kEnd;
  std::string text;
  size_t offset = 0;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsSpecial(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

std::vector<Token> Lex(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    if (i == s.size()) break;
    const size_t start = i;
    if (IsSpecial(s[i])) {
      // Longest match among the symbol tokens, as Go's scanSpecialSymbol.
      const std::string_view two = s.substr(i, 2);
      Tok t = Tok::kError;
      size_t n = 1;
      if (two == "==") {
        t = Tok::kEqEq, n = 2;
      } else if (two == "!=") {
        t = Tok::kNotEq, n = 2;
      } else {
        switch (s[i]) {
          case '=': t = Tok::kEq; break;
          case '!': t = Tok::kNot; break;
          case '(': t = Tok::kOpen; break;
          case ')': t = Tok::kClose; break;
          case ',': t = Tok::kComma; break;
          case '>': t = Tok::kGt; break;
          case '<': t = Tok::kLt; break;
          default: break;
        }
      }
      i += n;
      out.push_back({t, std::string(s.substr(start, n)), start});
      continue;
    }
    while (i < s.size() && !IsSpace(s[i]) && !IsSpecial(s[i])) ++i;
    std::string word(s.substr(start, i - start));
    const Tok t = word == "in" ? Tok::kIn : word == "notin" ? Tok::kNotIn : Tok::kIdent;
    out.push_back({t, std::move(word), start});
  }
  out.push_back({Tok::kEnd, "", s.size()});
  return out;
}

class Parser {
 public:
  Parser(std::string_view text) : text_(text), tokens_(Lex(text)) {}  // NOLINT

  StatusOr<Selector> Parse() {
    std::vector<Requirement> requirements;
    if (Peek().tok == Tok::kEnd) return Selector::Of({});
    while (true) {
      LIMEN_ASSIGN_OR_RETURN(auto r, ParseRequirement());
      requirements.push_back(std::move(r));
      const Token& t = Next();
      if (t.tok == Tok::kEnd) return Selector::Of(std::move(requirements));
      if (t.tok != Tok::kComma) return Error(t, "',' or end of string");
    }
  }

 private:
  // In value position the keywords are plain identifiers ("a=in").
  static bool IsIdent(const Token& t) {
    return t.tok == Tok::kIdent || t.tok == Tok::kIn || t.tok == Tok::kNotIn;
  }

  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return t;
  }

  Status Error(const Token& found, std::string_view expected) const {
    const std::string what =
        found.tok == Tok::kEnd ? std::string("end of string") : "'" + found.text + "'";
    return Status::InvalidArgument("invalid label selector \"" + std::string(text_) +
                                   "\": at offset " + std::to_string(found.offset) + ": found " +
                                   what + ", expected " + std::string(expected));
  }
  Status Invalid(const Token& at, const Status& why) const {
    return Status::InvalidArgument("invalid label selector \"" + std::string(text_) +
                                   "\": at offset " + std::to_string(at.offset) + ": " +
                                   why.message());
  }

  StatusOr<Requirement> ParseRequirement() {
    bool negated = false;
    if (Peek().tok == Tok::kNot) {
      negated = true;
      Next();
    }
    const Token key = Next();
    if (!IsIdent(key)) return Error(key, negated ? "a label key after '!'" : "'!' or a label key");
    if (Status s = ValidateLabelKey(key.text); !s.ok()) return Invalid(key, s);
    const Tok after = Peek().tok;
    if (negated || after == Tok::kEnd || after == Tok::kComma) {
      if (negated && after != Tok::kEnd && after != Tok::kComma) {
        return Error(Peek(), "',' or end of string after '!" + key.text + "'");
      }
      return Build(key, negated ? SelectorOperator::kDoesNotExist : SelectorOperator::kExists, {});
    }
    const Token op = Next();
    switch (op.tok) {
      case Tok::kIn: return ParseSet(key, SelectorOperator::kIn);
      case Tok::kNotIn: return ParseSet(key, SelectorOperator::kNotIn);
      case Tok::kEq: return ParseExact(key, SelectorOperator::kEquals);
      case Tok::kEqEq: return ParseExact(key, SelectorOperator::kDoubleEquals);
      case Tok::kNotEq: return ParseExact(key, SelectorOperator::kNotEquals);
      case Tok::kGt: return ParseExact(key, SelectorOperator::kGreaterThan);
      case Tok::kLt: return ParseExact(key, SelectorOperator::kLessThan);
      default:
        return Error(op, "one of '=', '==', '!=', 'in', 'notin', '>', '<', ',' or end of string");
    }
  }

  StatusOr<Requirement> ParseExact(const Token& key, SelectorOperator op) {
    const Token& t = Peek();
    if (t.tok == Tok::kEnd || t.tok == Tok::kComma) return Build(key, op, {""});
    const Token value = Next();
    if (!IsIdent(value)) return Error(value, "a label value");
    return Build(key, op, {value.text});
  }

  StatusOr<Requirement> ParseSet(const Token& key, SelectorOperator op) {
    const Token open = Next();
    if (open.tok != Tok::kOpen) return Error(open, "'('");
    std::vector<std::string> values;
    bool want_value = true;  // at the start and after each ','
    while (true) {
      const Token t = Next();
      if (t.tok == Tok::kClose) {
        if (want_value) values.emplace_back();  // "()" and "(a,)" hold the empty value
        return Build(key, op, std::move(values));
      }
      if (t.tok == Tok::kComma) {
        if (want_value) values.emplace_back();  // "(,a)" and "(a,,b)"
        want_value = true;
        continue;
      }
      if (IsIdent(t) && want_value) {
        values.push_back(t.text);
        want_value = false;
        continue;
      }
      return Error(t, want_value ? "a label value, ',' or ')'" : "',' or ')'");
    }
  }

  StatusOr<Requirement> Build(const Token& key, SelectorOperator op,
                              std::vector<std::string> values) {
    auto r = MakeRequirement(key.text, op, std::move(values));
    if (!r.ok()) return Invalid(key, r.status());
    return r;
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

StatusOr<Selector> ParseSelector(std::string_view text) { return Parser(text).Parse(); }

}  // namespace limen::api

#include "limen/api/selector.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>

namespace limen::api {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool IsQualifiedNamePart(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// RFC 1123 subdomain: dot-separated labels [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 253.
bool IsDns1123Subdomain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  size_t start = 0;
  while (true) {
    const size_t dot = s.find('.', start);
    const std::string_view label =
        s.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || !IsLowerAlnum(label.front()) || !IsLowerAlnum(label.back())) return false;
    for (char c : label) {
      if (!IsLowerAlnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

constexpr std::string_view kNameRule =
    "must be 63 characters or less, consist of alphanumeric characters, '-', '_' or '.', and "
    "start and end with an alphanumeric character";

std::optional<int64_t> ParseInt64(std::string_view s) {
  int64_t v = 0;
  const char* end = s.data() + s.size();
  if (!s.empty() && s.front() == '+')
    return std::nullopt;  // Go's ParseInt accepts '+', but
                          // a label value cannot hold it
  const auto [ptr, ec] = std::from_chars(s.data(), end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

bool Contains(const std::vector<std::string>& sorted, const std::string& v) {
  return std::binary_search(sorted.begin(), sorted.end(), v);
}

std::string_view OperatorText(SelectorOperator op) {
  switch (op) {
    case SelectorOperator::kIn: return " in ";
    case SelectorOperator::kNotIn: return " notin ";
    case SelectorOperator::kEquals: return "=";
    case SelectorOperator::kDoubleEquals: return "==";
    case SelectorOperator::kNotEquals: return "!=";
    case SelectorOperator::kGreaterThan: return ">";
    case SelectorOperator::kLessThan: return "<";
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist: return "";
  }
  return "";
}

}  // namespace

Status ValidateLabelKey(std::string_view key) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("invalid label key \"" + std::string(key) +
                                   "\": " + std::string(why));
  };
  std::string_view name = key;
  const size_t slash = key.find('/');
  if (slash != std::string_view::npos) {
    const std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (name.find('/') != std::string_view::npos) return bad("at most one '/' is allowed");
    if (prefix.empty()) return bad("prefix part must be non-empty");
    if (!IsDns1123Subdomain(prefix)) {
      return bad("prefix part must be a lowercase RFC 1123 subdomain of at most 253 characters");
    }
  }
  if (name.empty()) return bad("name part must be non-empty");
  if (name.size() > 63 || !IsQualifiedNamePart(name)) {
    return bad("name part " + std::string(kNameRule));
  }
  return Status::Ok();
}

Status ValidateLabelValue(std::string_view value) {
  if (value.empty()) return Status::Ok();
  if (value.size() > 63 || !IsQualifiedNamePart(value)) {
    return Status::InvalidArgument("invalid label value \"" + std::string(value) +
                                   "\": " + std::string(kNameRule));
  }
  return Status::Ok();
}

StatusOr<Requirement> MakeRequirement(std::string key, SelectorOperator op,
                                      std::vector<std::string> values) {
  LIMEN_RETURN_IF_ERROR(ValidateLabelKey(key));
  const auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("label selector requirement on \"" + key +
                                   "\": " + std::string(why));
  };
  switch (op) {
    case SelectorOperator::kIn:
    case SelectorOperator::kNotIn:
      if (values.empty()) return bad("for 'in', 'notin' operators, values set can't be empty");
      break;
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
    case SelectorOperator::kNotEquals:
      if (values.size() != 1) return bad("exact-match compatibility requires one single value");
      break;
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      if (!values.empty()) return bad("values set must be empty for exists and does not exist");
      break;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan:
      if (values.size() != 1) return bad("for 'Gt', 'Lt' operators, exactly one value is required");
      if (!ParseInt64(values[0])) {
        return bad("for 'Gt', 'Lt' operators, the value must be an integer");
      }
      break;
  }
  for (const std::string& v : values) LIMEN_RETURN_IF_ERROR(ValidateLabelValue(v));
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return Requirement{std::move(key), op, std::move(values)};
}

bool Requirement::Matches(const Labels& labels) const {
  const auto it = labels.find(key);
  const bool has = it != labels.end();
  switch (op) {
    case SelectorOperator::kIn:
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals: return has && Contains(values, it->second);
    case SelectorOperator::kNotIn:
    case SelectorOperator::kNotEquals: return !has || !Contains(values, it->second);
    case SelectorOperator::kExists: return has;
    case SelectorOperator::kDoesNotExist: return !has;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan: {
      if (!has || values.size() != 1) return false;
      const auto have = ParseInt64(it->second);
      const auto want = ParseInt64(values[0]);
      if (!have || !want) return false;
      return op == SelectorOperator::kGreaterThan ? *have > *want : *have < *want;
    }
  }
  return false;
}

std::string Requirement::String() const {
  std::string out;
  if (op == SelectorOperator::kDoesNotExist) out += '!';
  out += key;
  if (op == SelectorOperator::kExists || op == SelectorOperator::kDoesNotExist) return out;
  out += OperatorText(op);
  const bool set = op == SelectorOperator::kIn || op == SelectorOperator::kNotIn;
  if (set) out += '(';
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += values[i];
  }
  if (set) out += ')';
  return out;
}

Selector Selector::Of(std::vector<Requirement> requirements) {
  std::stable_sort(requirements.begin(), requirements.end(),
                   [](const Requirement& a, const Requirement& b) { return a.key < b.key; });
  return Selector(std::move(requirements), false);
}

bool Selector::Matches(const Labels& labels) const {
  if (nothing_) return false;
  return std::all_of(requirements_.begin(), requirements_.end(),
                     [&](const Requirement& r) { return r.Matches(labels); });
}

std::string Selector::String() const {
  std::string out;
  for (size_t i = 0; i < requirements_.size(); ++i) {
    if (i > 0) out += ',';
    out += requirements_[i].String();
  }
  return out;
}

StatusOr<Selector> ToSelector(const LabelSelector* selector) {
  if (selector == nullptr) return Selector::Nothing();
  std::vector<Requirement> requirements;
  for (const auto& [key, value] : selector->match_labels) {
    LIMEN_ASSIGN_OR_RETURN(auto r, MakeRequirement(key, SelectorOperator::kEquals, {value}));
    requirements.push_back(std::move(r));
  }
  for (const LabelSelectorRequirement& e : selector->match_expressions) {
    SelectorOperator op;
    if (e.op == kSelectorOpIn) {
      op = SelectorOperator::kIn;
    } else if (e.op == kSelectorOpNotIn) {
      op = SelectorOperator::kNotIn;
    } else if (e.op == kSelectorOpExists) {
      op = SelectorOperator::kExists;
    } else if (e.op == kSelectorOpDoesNotExist) {
      op = SelectorOperator::kDoesNotExist;
    } else {
      return Status::InvalidArgument("\"" + e.op + "\" is not a valid label selector operator");
    }
    LIMEN_ASSIGN_OR_RETURN(auto r, MakeRequirement(e.key, op, e.values));
    requirements.push_back(std::move(r));
  }
  return Selector::Of(std::move(requirements));
}

StatusOr<Selector> ToSelector(const std::optional<LabelSelector>& selector) {
  return ToSelector(selector ? &*selector : nullptr);
}

bool LabelSelector::Matches(const Labels& labels) const {
  const auto s = ToSelector(this);
  return s.ok() && s->Matches(labels);
}

}  // namespace limen::api

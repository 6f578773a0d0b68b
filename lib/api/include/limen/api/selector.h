// Label selectors, as in k8s.io/apimachinery:
//   - LabelSelector: the API type (metav1.LabelSelector) found in specs — matchLabels and
//     matchExpressions with the operators In, NotIn, Exists, DoesNotExist;
//   - Selector: a validated, evaluable list of Requirements (labels.Selector), obtained from
//     a LabelSelector (ToSelector) or from the string form of `labelSelector=` query
//     parameters (ParseSelector: "a=b,c!=d,e in (x,y),!f,g notin (z),h>3").
//
// Null versus empty, as apimachinery's LabelSelectorAsSelector: an *absent* selector
// (nullptr / std::nullopt) selects nothing; a present but empty selector ({}) selects
// everything. A LabelSelector that fails validation (unknown operator, In without values,
// a malformed key) matches nothing; ToSelector returns the reason.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limen/api/codec.h"
#include "limen/base/status.h"

namespace limen::api {

using Labels = std::map<std::string, std::string>;

// metav1.LabelSelectorOperator values.
inline constexpr std::string_view kSelectorOpIn = "In";
inline constexpr std::string_view kSelectorOpNotIn = "NotIn";
inline constexpr std::string_view kSelectorOpExists = "Exists";
inline constexpr std::string_view kSelectorOpDoesNotExist = "DoesNotExist";

struct LabelSelectorRequirement {
  std::string key;
  std::string op;  // "operator" on the wire; one of kSelectorOp*
  std::vector<std::string> values;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("key", s.key);
    f("operator", s.op);
    f("values", s.values);
  }
};

struct LabelSelector {
  std::map<std::string, std::string> match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("matchLabels", s.match_labels);
    f("matchExpressions", s.match_expressions);
  }

  // Whether the selector selects an object with these labels (empty selector: all; invalid
  // selector: none).
  bool Matches(const Labels& labels) const;
};

// The operators of a Requirement (selection.Operator).
enum class SelectorOperator {
  kIn,            // "in"
  kNotIn,         // "notin"
  kExists,        // "key"
  kDoesNotExist,  // "!key"
  kEquals,        // "="
  kDoubleEquals,  // "=="
  kNotEquals,     // "!="
  kGreaterThan,   // ">" (integer values)
  kLessThan,      // "<"
};

// One validated term of a Selector. `values` are sorted and unique.
struct Requirement {
  std::string key;
  SelectorOperator op = SelectorOperator::kExists;
  std::vector<std::string> values;

  bool Matches(const Labels& labels) const;
  // The query-parameter form: "a=b", "e in (x,y)", "!f", "h>3".
  std::string String() const;

  friend bool operator==(const Requirement&, const Requirement&) = default;
};

class Selector {
 public:
  static Selector Everything() { return Selector({}, false); }
  static Selector Nothing() { return Selector({}, true); }
  // REQUIRES: each requirement is valid (see MakeRequirement). Sorted by key, as Go does.
  static Selector Of(std::vector<Requirement> requirements);

  bool Matches(const Labels& labels) const;
  bool IsNothing() const { return nothing_; }
  bool IsEverything() const { return !nothing_ && requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }

  // The `labelSelector=` form, requirements joined by ','; "" for Everything. Nothing has no
  // string form (it too gives ""): callers check IsNothing() and skip the request.
  std::string String() const;

  friend bool operator==(const Selector&, const Selector&) = default;

 private:
  Selector(std::vector<Requirement> r, bool nothing)
      : requirements_(std::move(r)), nothing_(nothing) {}
  std::vector<Requirement> requirements_;
  bool nothing_ = false;
};

// Validates and builds a requirement, as labels.NewRequirement: key a qualified name,
// values valid label values, In/NotIn need values, Exists/DoesNotExist none, =/==/!= one,
// >/< one integer. Values are sorted and deduplicated.
StatusOr<Requirement> MakeRequirement(std::string key, SelectorOperator op,
                                      std::vector<std::string> values);

// The string form; errors give the offset, what was found and what was expected, e.g.
// `invalid label selector "a in (x": at offset 7: found end of string, expected ',' or ')'`.
StatusOr<Selector> ParseSelector(std::string_view text);

// LabelSelectorAsSelector. nullptr/nullopt → Nothing; {} → Everything.
StatusOr<Selector> ToSelector(const LabelSelector* selector);
StatusOr<Selector> ToSelector(const std::optional<LabelSelector>& selector);

// Label syntax (k8s validation.IsQualifiedName / IsValidLabelValue); errors say why.
Status ValidateLabelKey(std::string_view key);
Status ValidateLabelValue(std::string_view value);

}  // namespace limen::api

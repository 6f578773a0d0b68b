// Change: what one write did to an entry of one of limen-operator's typed indexes (PodIndex,
// NodeReports) — its value before and after — so that an informer's handler can enqueue from
// both states, and skip writes that changed nothing the operator reads.
//
// Thread-safety: an immutable value; the states it points to are immutable too.
#pragma once

#include <memory>

namespace limen::op {

template <typename T>
struct Change {
  std::shared_ptr<const T> before, after;  // nullptr: absent
  // Whether anything the operator reads changed (T's operator==).
  bool Changed() const { return before && after ? !(*before == *after) : before != after; }
};

}  // namespace limen::op

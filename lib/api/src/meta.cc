#include "limen/api/meta.h"

#include <algorithm>

namespace limen::api {

const OwnerReference* ObjectMeta::ControllerRef() const {
  for (const OwnerReference& r : owner_references) {
    if (r.controller.value_or(false)) return &r;
  }
  return nullptr;
}

bool ObjectMeta::HasFinalizer(std::string_view finalizer) const {
  return std::find(finalizers.begin(), finalizers.end(), finalizer) != finalizers.end();
}

}  // namespace limen::api

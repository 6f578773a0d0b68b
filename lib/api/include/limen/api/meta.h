// ObjectMeta and OwnerReference: the parts of metav1.ObjectMeta Limen reads and writes.
// Fields Limen does not model (managedFields, generateName, …) stay in `source` and
// survive a round trip like any unknown field (see codec.h).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "limen/api/codec.h"
#include "limen/api/time.h"

namespace limen::api {

struct OwnerReference {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string uid;
  std::optional<bool> controller;
  std::optional<bool> block_owner_deletion;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("apiVersion", s.api_version);
    f("kind", s.kind);
    f("name", s.name);
    f("uid", s.uid);
    f("controller", s.controller);
    f("blockOwnerDeletion", s.block_owner_deletion);
  }
};

struct ObjectMeta {
  std::string name;
  std::string namespace_;  // "namespace" on the wire
  std::string uid;
  std::string resource_version;
  int64_t generation = 0;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<OwnerReference> owner_references;
  std::optional<Time> creation_timestamp;
  std::optional<Time> deletion_timestamp;
  std::vector<std::string> finalizers;
  Json source;

  template <class S, class F>
  static void Fields(S& s, F&& f) {
    f("name", s.name);
    f("namespace", s.namespace_);
    f("uid", s.uid);
    f("resourceVersion", s.resource_version);
    f("generation", s.generation);
    f("labels", s.labels);
    f("annotations", s.annotations);
    f("ownerReferences", s.owner_references);
    f("creationTimestamp", s.creation_timestamp);
    f("deletionTimestamp", s.deletion_timestamp);
    f("finalizers", s.finalizers);
  }

  // The owner reference with controller=true, or nullptr.
  const OwnerReference* ControllerRef() const;
  bool HasFinalizer(std::string_view finalizer) const;
};

}  // namespace limen::api

// The projection the benchmark's "project" variant stores: the Pod fields limen-operator
// keeps in its Pod cache (operator/src/common/transform.h ProjectPod, copied here so the
// benchmark does not depend on the operator's build): apiVersion, kind; metadata {name,
// namespace, uid, resourceVersion, generation, labels, limen.dev/* annotations,
// ownerReferences, deletionTimestamp}; spec.nodeName; status {phase, containerStatuses[]
// {name, containerID}}.
//
// Thread-safety: pure function.
#pragma once

#include <nlohmann/json.hpp>

namespace limen::bench {

nlohmann::json ProjectPod(const nlohmann::json& pod);

}  // namespace limen::bench

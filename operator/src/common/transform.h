// Informer transforms: the projections limen-operator keeps in its caches, so that 10,000
// Pods cost kilobytes, not the megabytes of full objects (client-go's TransformFunc).
//
//   ProjectPod      apiVersion, kind; metadata {name, namespace, uid, resourceVersion,
//                   generation, labels, limen.dev/* annotations, ownerReferences,
//                   deletionTimestamp}; spec.nodeName; status {phase,
//                   containerStatuses[] {name, containerID}}.
//   ProjectOwner    ReplicaSets, Deployments, StatefulSets, DaemonSets: the same metadata
//                   and nothing of spec or status (owner resolution reads only metadata).
//   ProjectLimen    the limen.dev kinds and owned ConfigMaps: everything but managedFields.
//   ProjectConfigMapSource  every other ConfigMap (those a WasmFilter may read its module
//                   from): apiVersion, kind and metadata {name, namespace, uid,
//                   resourceVersion, deletionTimestamp} — no data, no binaryData. The cache
//                   only has to say that a ConfigMap exists and when it changed; the module
//                   bytes are read live when a WasmFilter needs them (see app/wiring.h).
//
// Only annotations under limen.dev/ are kept: they are the only ones Limen reads, and
// others (kubectl's last-applied-configuration) are often the largest part of an object.
//
// Thread-safety: pure functions.
#pragma once

#include "limen/kube/client.h"

namespace limen::op {

kube::Object ProjectPod(kube::Object pod);
kube::Object ProjectOwner(kube::Object obj);
kube::Object ProjectLimen(kube::Object obj);
kube::Object ProjectConfigMapSource(kube::Object obj);

// Whether two projections differ in anything but metadata.resourceVersion: an update event
// that changes nothing Limen reads needs no reconcile.
bool SameExceptResourceVersion(const kube::Object& a, const kube::Object& b);

}  // namespace limen::op

// Informer transforms: the projections limen-operator keeps in its caches, so that 10,000
// Pods cost kilobytes, not the megabytes of full objects (client-go's TransformFunc).
//
//   ProjectPod      apiVersion, kind; metadata {name, namespace, uid, resourceVersion,
//                   generation, labels, limen.dev/* annotations, ownerReferences,
//                   deletionTimestamp}; spec.nodeName; status.phase. (The node agent, not
//                   the operator, reads container statuses.)
//   ProjectOwner    ReplicaSets, Deployments, StatefulSets, DaemonSets: the same metadata
//                   and nothing of spec or status (owner resolution reads only metadata).
//   ProjectLimen    the limen.dev kinds and owned ConfigMaps: everything but managedFields.
//   RetainKey       what the Pod informer's store keeps of a projected Pod (InformerOptions::
//                   retain): metadata {name, namespace, resourceVersion}. The operator reads
//                   Pods from its PodIndex (common/pod_index.h), which the informer's
//                   handlers keep from the whole projection.
//   RetainNodeProbeState  what the NodeProbeState informer's store keeps (InformerOptions::
//                   retain): everything but status.pods — the per-Pod measurements, ≈ 95 % of
//                   an object at 100 Pods a node, which the reconcilers read decoded from
//                   NodeReports (common/caches.h) and the dashboard not at all.
//   ProjectConfigMapSource  every other ConfigMap (those a WasmFilter may read its module
//                   from): apiVersion, kind and metadata {name, namespace, uid,
//                   resourceVersion, deletionTimestamp} — no data, no binaryData. The cache
//                   only has to say that a ConfigMap exists and when it changed; the module
//                   bytes are read live when a WasmFilter needs them (see app/wiring.h).
//
// Only annotations under limen.dev/ are kept: they are the only ones Limen reads, and
// others (kubectl's last-applied-configuration) are often the largest part of an object.
//
// Each projection also exists as a parse-time field filter (lib/kube field_filter.h): the
// informers are given both, so that what a projection drops is never decoded at all (a
// 10,000-Pod list then costs its projected size while it is parsed, not the full objects'),
// and the projection still settles what a mask cannot say (empty maps, non-objects).
//
// Thread-safety: pure functions; the filters are immutable and shared.
#pragma once

#include <memory>

#include "limen/kube/client.h"
#include "limen/kube/field_filter.h"

namespace limen::op {

kube::Object ProjectPod(kube::Object pod);
kube::Object ProjectOwner(kube::Object obj);
kube::Object ProjectLimen(kube::Object obj);
kube::Object ProjectConfigMapSource(kube::Object obj);
kube::Object RetainKey(const kube::Object& obj);
kube::Object RetainNodeProbeState(const kube::Object& nps);

std::shared_ptr<const kube::FieldFilter> PodFields();
std::shared_ptr<const kube::FieldFilter> OwnerFields();
std::shared_ptr<const kube::FieldFilter> LimenFields();
std::shared_ptr<const kube::FieldFilter> ConfigMapSourceFields();

// Whether two projections differ in anything but metadata.resourceVersion: an update event
// that changes nothing Limen reads needs no reconcile.
bool SameExceptResourceVersion(const kube::Object& a, const kube::Object& b);

}  // namespace limen::op

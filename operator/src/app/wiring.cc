#include "app/wiring.h"

#include "common/transform.h"
#include "limen/api/well_known.h"
#include "limen/reconcilers/wasmfilter/controller.h"
#include "reconcilers/instrumentedworkload/reconciler.h"
#include "reconcilers/observabilitypolicy/reconciler.h"

namespace limen::op {
namespace {

using kube::DeletedObject;
using kube::Informer;
using kube::InformerOptions;

// What differs between the operator's informers.
struct Spec {
  kube::Transform transform;
  std::shared_ptr<const kube::FieldFilter> fields;  // the transform's parse-time half
  std::map<std::string, kube::IndexFunc> indexers = {};
  std::string label_selector = "";
  int64_t page_size = 500;
  // Store the objects encoded (InformerOptions::compact): a fraction of the DOM's memory.
  // Every cache read many objects at a time has a typed index beside it (PodIndex,
  // ReplicaSetIndex, NodeReports) so that the reads that scan decode nothing.
  bool compact = false;
  kube::Transform retain = nullptr;  // InformerOptions::retain
  bool namespace_index = true;       // InformerOptions::namespace_index
};

std::unique_ptr<Informer> Make(kube::Client& client, const kube::Resource& r, const std::string& ns,
                               Spec spec) {
  InformerOptions o;
  o.ns = r.namespaced ? ns : "";
  o.transform = std::move(spec.transform);
  o.watcher.field_filter = std::move(spec.fields);
  o.indexers = std::move(spec.indexers);
  o.watcher.label_selector = std::move(spec.label_selector);
  o.watcher.page_size = spec.page_size;
  o.compact = spec.compact;
  o.retain = std::move(spec.retain);
  o.namespace_index = spec.namespace_index;
  return std::make_unique<Informer>(client, r, std::move(o));
}

// List pages of the module-source ConfigMap informer. A ConfigMap may hold up to 1 MiB, and a
// page is held whole until the transform has reduced every object of it, so the page size
// bounds the peak memory of a (re)list: 100 × 1 MiB at worst, ~100 × a few KiB in practice.
constexpr int64_t kSourcePageSize = 100;

void EnqueueAll(kube::Controller* c, const std::vector<std::string>& keys) {
  if (!c) return;
  for (const auto& k : keys) c->Enqueue(k);
}

int64_t Generation(const Object& obj) {
  auto meta = obj.find("metadata");
  if (meta == obj.end()) return 0;
  auto g = meta->find("generation");
  return g != meta->end() && g->is_number_integer() ? g->get<int64_t>() : 0;
}

// Handlers from one function called with each state an event reveals (old and new for an
// update; skipped when the projection did not change).
std::shared_ptr<kube::ResourceEventHandlerFuncs> OnAny(
    const std::function<void(const Object&)>& f) {
  auto h = std::make_shared<kube::ResourceEventHandlerFuncs>();
  h->add = [f](const ObjectPtr& o, bool) { f(*o); };
  h->update = [f](const ObjectPtr& o, const ObjectPtr& n) {
    if (SameExceptResourceVersion(*o, *n)) return;
    f(*o);
    f(*n);
  };
  h->del = [f](const DeletedObject& d) {
    if (const ObjectPtr& last = kube::LastKnown(d)) f(*last);
  };
  return h;
}

// Keeps an index in step with an informer's store: Upsert on add and update, Remove on delete.
template <typename Index>
std::shared_ptr<kube::ResourceEventHandlerFuncs> Keep(std::shared_ptr<Index> index) {
  auto h = std::make_shared<kube::ResourceEventHandlerFuncs>();
  h->add = [index](const ObjectPtr& o, bool) { index->Upsert(*o); };
  h->update = [index](const ObjectPtr&, const ObjectPtr& n) { index->Upsert(*n); };
  h->del = [index](const DeletedObject& d) {
    if (const ObjectPtr& last = kube::LastKnown(d)) index->Remove(*last);
  };
  return h;
}

// Keeps an index that reports its writes (PodIndex, NodeReports) in step with an informer,
// and hands each write's Change to `report` — Wire's handler, set before Run — when anything
// changed. The old states the informer hands over are only what its store retains, so the
// state before a write comes from the index itself.
template <typename Index, typename C>
std::shared_ptr<kube::ResourceEventHandlerFuncs> KeepAndReport(
    std::shared_ptr<Index> index, const std::function<void(const C&)>& report) {
  auto changed = [&report](const C& change) {
    if (report && change.Changed()) report(change);
  };
  auto h = std::make_shared<kube::ResourceEventHandlerFuncs>();
  h->add = [index, changed](const ObjectPtr& o, bool) { changed(index->Upsert(*o)); };
  h->update = [index, changed](const ObjectPtr&, const ObjectPtr& n) {
    changed(index->Upsert(*n));
  };
  h->del = [index, changed](const DeletedObject& d) {
    if (const ObjectPtr& last = kube::LastKnown(d)) changed(index->Remove(*last));
  };
  return h;
}

}  // namespace

Informers::Informers(kube::Client& client, const std::string& ns) {
  namespace r = kube::resources;
  // Pods are read from the PodIndex only, which the handler below keeps from each projected Pod
  // (and tells Wire's handler what changed): the informer's own store keeps just the keys and
  // resourceVersions it needs for its relists. ReplicaSets and NodeProbeStates are compact:
  // what the namespace-wide scans and the per-Pod measurement lookups read of them comes from
  // ReplicaSetIndex and NodeReports, kept by handlers registered before Wire's. Stores nobody
  // reads by namespace go without the namespace index.
  pods_ = Make(client, r::kPods, ns,
               {.transform = ProjectPod,
                .fields = PodFields(),
                .compact = true,
                .retain = RetainKey,
                .namespace_index = false});
  replicasets_ = Make(client, r::kReplicaSets, ns,
                      {.transform = ProjectOwner,
                       .fields = OwnerFields(),
                       .indexers = {{kIndexControllerUid, IndexByControllerUid}},
                       .compact = true,
                       .namespace_index = false});
  pods_->AddEventHandler(KeepAndReport(pod_index_, pod_changed_));
  replicasets_->AddEventHandler(Keep(replicaset_index_));
  // Workloads are read by key only (FindWorkload).
  const Spec workload = {.transform = ProjectOwner,
                         .fields = OwnerFields(),
                         .compact = true,
                         .namespace_index = false};
  deployments_ = Make(client, r::kDeployments, ns, workload);
  statefulsets_ = Make(client, r::kStatefulSets, ns, workload);
  daemonsets_ = Make(client, r::kDaemonSets, ns, workload);
  configmaps_ = Make(client, r::kConfigMaps, ns,
                     {ProjectLimen,
                      LimenFields(),
                      {},
                      std::string(api::kLabelManagedBy) + "=" + std::string(api::kManagedByLimen)});
  // WasmFilter modules live in users' ConfigMaps, which carry no label Limen could select
  // on, and a field selector names one ConfigMap only (no "name in (...)"), so the choices
  // are: one informer per referenced ConfigMap (watches grow with the filters, and are
  // started and stopped as filters change), per-namespace informers (the same, by
  // namespace), or one informer over all watched ConfigMaps that keeps only metadata. The last is
  // what controller-runtime operators do (OnlyMetadata): one watch, a cache of a few hundred bytes
  // per ConfigMap whatever its size, and — because any edit changes the resourceVersion — a
  // change of a referenced ConfigMap still re-validates its filters at once. The module bytes
  // are read with a GET when a filter is validated, which the WasmFilter reconciler remembers
  // per resourceVersion (see its reconciler.h). The watch itself still carries whole
  // ConfigMaps (lib/kube does not ask for PartialObjectMetadata), but their data is skipped
  // while parsing (ConfigMapSourceFields), so it is never decoded.
  wasm_sources_ = Make(client, r::kConfigMaps, ns,
                       {.transform = ProjectConfigMapSource,
                        .fields = ConfigMapSourceFields(),
                        .page_size = kSourcePageSize,
                        .compact = true});
  obspols_ = Make(client, resources::kObservabilityPolicies, ns, {ProjectLimen, LimenFields()});
  respols_ = Make(client, resources::kResiliencePolicies, ns, {ProjectLimen, LimenFields()});
  wasmfilters_ = Make(client, resources::kWasmFilters, ns,
                      {ProjectLimen, LimenFields(), reconcilers::wasmfilter::FilterIndexers()});
  // Read one at a time (a reconcile's own InstrumentedWorkload; Observe's sustained count).
  iwls_ = Make(client, resources::kInstrumentedWorkloads, ns,
               {.transform = ProjectLimen, .fields = LimenFields(), .compact = true});
  // The per-Pod measurements are read from NodeReports only: the store keeps the rest.
  nps_ = Make(client, resources::kNodeProbeStates, ns,
              {.transform = ProjectLimen,
               .fields = LimenFields(),
               .compact = true,
               .retain = RetainNodeProbeState,
               .namespace_index = false});
  nps_->AddEventHandler(KeepAndReport(node_reports_, report_changed_));
}

Caches Informers::caches() const {
  return Caches{replicasets_->store(),  deployments_->store(),
                statefulsets_->store(), daemonsets_->store(),
                obspols_->store(),      respols_->store(),
                iwls_->store(),         nps_->store(),
                node_reports_,          pod_index_,
                replicaset_index_};
}

std::vector<Informer*> Informers::all() const {
  return {pods_.get(),       replicasets_.get(), deployments_.get(),  statefulsets_.get(),
          daemonsets_.get(), configmaps_.get(),  wasm_sources_.get(), obspols_.get(),
          respols_.get(),    wasmfilters_.get(), iwls_.get(),         nps_.get()};
}

void Informers::Run() {
  for (auto* i : all()) i->Run();
}

void Informers::Stop() {
  for (auto* i : all()) i->Stop();
}

bool Informers::HasSynced() const {
  for (auto* i : all()) {
    if (!i->HasSynced()) return false;
  }
  return true;
}

void Wire(Informers& in, const Controllers& controllers) {
  const Caches c = in.caches();
  kube::Controller* iwl_c = controllers.instrumented_workloads;
  kube::Controller* obs_c = controllers.observability_policies;
  kube::Controller* res_c = controllers.resilience_policies;
  auto res_of_ns = [c, res_c](const std::string& ns) {
    if (res_c) EnqueueAll(res_c, c.resilience_policies.IndexKeys(kube::kNamespaceIndex, ns));
  };
  in.pod_changed_ = [c, iwl_c, obs_c, res_of_ns](const PodChange& change) {
    for (const PodSummaryPtr& pod : {change.before, change.after}) {
      if (!pod) continue;
      const std::string ns(pod->ns());
      EnqueueAll(iwl_c, iwl::KeysForPod(c, *pod));
      EnqueueAll(obs_c, obspol::KeysForNamespace(c, ns));
      res_of_ns(ns);
    }
  };
  in.replicasets_->AddEventHandler(OnAny([c, iwl_c, obs_c, res_of_ns](const Object& rs) {
    EnqueueAll(iwl_c, iwl::KeysForReplicaSet(rs));
    // Pods that could not be resolved before the ReplicaSet arrived count now.
    EnqueueAll(obs_c, obspol::KeysForNamespace(c, NamespaceOf(rs)));
    res_of_ns(NamespaceOf(rs));
  }));
  for (auto [informer, kind] : {std::pair{in.deployments_.get(), "Deployment"},
                                {in.statefulsets_.get(), "StatefulSet"},
                                {in.daemonsets_.get(), "DaemonSet"}}) {
    informer->AddEventHandler(OnAny([iwl_c, kind = std::string(kind)](const Object& w) {
      EnqueueAll(iwl_c, iwl::KeysForOwnerObject(w, kind));
    }));
  }
  {
    auto h = std::make_shared<kube::ResourceEventHandlerFuncs>();
    auto all_of_ns = [c, iwl_c, obs_c](const Object& p) {
      EnqueueAll(obs_c, {kube::ObjectKey(p)});
      EnqueueAll(iwl_c, iwl::KeysForNamespace(c, NamespaceOf(p)));
    };
    h->add = [all_of_ns](const ObjectPtr& o, bool) { all_of_ns(*o); };
    h->update = [all_of_ns, obs_c](const ObjectPtr& o, const ObjectPtr& n) {
      // Our own status writes change no workload: only a spec change fans out.
      if (Generation(*o) != Generation(*n)) {
        all_of_ns(*n);
      } else if (!SameExceptResourceVersion(*o, *n)) {
        EnqueueAll(obs_c, {kube::ObjectKey(*n)});
      }
    };
    h->del = [all_of_ns](const DeletedObject& d) {
      if (const ObjectPtr& last = kube::LastKnown(d)) all_of_ns(*last);
    };
    in.obspols_->AddEventHandler(h);
  }
  in.respols_->AddEventHandler(OnAny([c, iwl_c](const Object& p) {
    EnqueueAll(iwl_c, iwl::KeysForNamespace(c, NamespaceOf(p)));
  }));
  in.iwls_->AddEventHandler(OnAny([c, iwl_c, obs_c](const Object& w) {
    EnqueueAll(iwl_c, {kube::ObjectKey(w)});
    EnqueueAll(obs_c, obspol::KeysForNamespace(c, NamespaceOf(w)));
  }));
  in.report_changed_ = [c, iwl_c, obs_c](const NodeReportChange& change) {
    for (const auto& report : {change.before, change.after}) {
      if (report) EnqueueAll(iwl_c, iwl::KeysForNodeReport(c, *report));
    }
    EnqueueAll(obs_c, obspol::AllKeys(c));
  };
}

reconcilers::resiliencepolicy::Reach CacheReachCounter::Count(const api::ResiliencePolicy& policy,
                                                              const std::string& hash) const {
  auto selector = api::ToSelector(policy.spec.selector);
  if (!selector.ok()) return {};
  const PolicyReach r =
      ReachOf(caches_, policy.metadata.namespace_, *selector, policy.metadata.name, hash);
  return {r.matched_workloads, r.injected_pods};
}

}  // namespace limen::op

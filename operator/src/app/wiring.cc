#include "app/wiring.h"

#include "common/transform.h"
#include "limen/api/well_known.h"
#include "reconcilers/instrumentedworkload/reconciler.h"
#include "reconcilers/observabilitypolicy/reconciler.h"

namespace limen::op {
namespace {

using kube::DeletedObject;
using kube::Informer;
using kube::InformerOptions;

std::unique_ptr<Informer> Make(kube::Client& client, const kube::Resource& r, kube::Transform t,
                               std::map<std::string, kube::IndexFunc> indexers = {},
                               std::string label_selector = "") {
  InformerOptions o;
  o.transform = std::move(t);
  o.indexers = std::move(indexers);
  o.watcher.label_selector = std::move(label_selector);
  return std::make_unique<Informer>(client, r, std::move(o));
}

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
std::shared_ptr<kube::ResourceEventHandlerFuncs> OnAny(std::function<void(const Object&)> f) {
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

}  // namespace

Informers::Informers(kube::Client& client) {
  namespace r = kube::resources;
  const std::map<std::string, kube::IndexFunc> pod_indexes = {
      {kIndexControllerUid, IndexByControllerUid},
      {kIndexNode, IndexByNode},
      {kIndexUid, IndexByUid}};
  pods_ = Make(client, r::kPods, ProjectPod, pod_indexes);
  replicasets_ =
      Make(client, r::kReplicaSets, ProjectOwner, {{kIndexControllerUid, IndexByControllerUid}});
  deployments_ = Make(client, r::kDeployments, ProjectOwner);
  statefulsets_ = Make(client, r::kStatefulSets, ProjectOwner);
  daemonsets_ = Make(client, r::kDaemonSets, ProjectOwner);
  configmaps_ = Make(client, r::kConfigMaps, ProjectLimen, {},
                     std::string(api::kLabelManagedBy) + "=" + std::string(api::kManagedByLimen));
  obspols_ = Make(client, resources::kObservabilityPolicies, ProjectLimen);
  respols_ = Make(client, resources::kResiliencePolicies, ProjectLimen);
  wasmfilters_ = Make(client, resources::kWasmFilters, ProjectLimen);
  iwls_ = Make(client, resources::kInstrumentedWorkloads, ProjectLimen);
  nps_ = Make(client, resources::kNodeProbeStates, ProjectLimen);
}

Caches Informers::caches() const {
  return Caches{pods_->store(),         replicasets_->store(), deployments_->store(),
                statefulsets_->store(), daemonsets_->store(),  obspols_->store(),
                respols_->store(),      iwls_->store(),        nps_->store()};
}

std::vector<Informer*> Informers::all() const {
  return {pods_.get(),        replicasets_.get(), deployments_.get(), statefulsets_.get(),
          daemonsets_.get(),  configmaps_.get(),  obspols_.get(),     respols_.get(),
          wasmfilters_.get(), iwls_.get(),        nps_.get()};
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

void Wire(Informers& in, kube::Controller* iwl_c, kube::Controller* obs_c) {
  const Caches c = in.caches();
  in.pods_->AddEventHandler(OnAny([c, iwl_c, obs_c](const Object& pod) {
    EnqueueAll(iwl_c, iwl::KeysForPod(c, pod));
    EnqueueAll(obs_c, obspol::KeysForNamespace(c, NamespaceOf(pod)));
  }));
  in.replicasets_->AddEventHandler(OnAny([c, iwl_c, obs_c](const Object& rs) {
    EnqueueAll(iwl_c, iwl::KeysForReplicaSet(rs));
    // Pods that could not be resolved before the ReplicaSet arrived count now.
    EnqueueAll(obs_c, obspol::KeysForNamespace(c, NamespaceOf(rs)));
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
  in.nps_->AddEventHandler(OnAny([c, iwl_c, obs_c](const Object& nps) {
    EnqueueAll(iwl_c, iwl::KeysForNodeProbeState(c, nps));
    EnqueueAll(obs_c, obspol::AllKeys(c));
  }));
}

}  // namespace limen::op

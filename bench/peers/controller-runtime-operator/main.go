// controller-runtime-operator: the peer of bench/operator's reconcile benchmark — the
// InstrumentedWorkload reconciler of limen-operator written the usual kubebuilder way: a
// manager, its cached client (typed Pods, ReplicaSets, Deployments; ObservabilityPolicies,
// NodeProbeStates and InstrumentedWorkloads as unstructured), field indexes, and one
// controller whose Reconcile reads everything from the cache.
//
// For each workload key "<ns>/deployment-<name>" it does what limen-operator's
// reconcilers/instrumentedworkload does for a Deployment:
//   - the Deployment, its ReplicaSets (index controllerUID) and their active Pods (same index);
//   - the namespace's ObservabilityPolicies (by name) whose selector selects any of the Pods,
//     the thresholds of the first one (CRD defaults applied);
//   - each Pod's entry in its node's NodeProbeState (a linear search of status.pods by uid,
//     as Limen's ReportFor), pod counts {total, injected, instrumented};
//   - the readiness engine (operator/readiness/src/engine.cc, ported below): startup
//     p50/p95/max (nearest rank), largest RSS, coverage (floored basis points), the three
//     criteria with metSince kept while they hold, ThresholdsMet and Ready conditions, stale
//     data (older than 3 × report interval) unknown, requeue at the next window/staleness;
//   - creates the InstrumentedWorkload (ownerReference to the Deployment) if missing and
//     writes its status through the status subresource only when it changed.
//
// It enqueues what Limen enqueues: a Pod, ReplicaSet, Deployment → its workload; an
// ObservabilityPolicy whose generation changed → every workload of the namespace; a
// NodeProbeState → the workloads of the Pods it reports; an InstrumentedWorkload → itself.
// Other workload kinds (StatefulSet, DaemonSet, bare Pods) and ResiliencePolicies are out of
// the benchmark's scope and not implemented.
//
// The cache strips managedFields (cache.TransformStripManagedFields, the common setting);
// every read, unstructured ones included (client.CacheOptions{Unstructured: true}), is served
// from the cache and deep-copied, as controller-runtime does by default.
//
// With LIMEN_BENCH_EXIT_AT_MAIN set it prints CLOCK_MONOTONIC (ns) at main entry and exits:
// the benchmark's exec→main probe, the same hook limen-operator has.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

var (
	gvkPolicy = schema.GroupVersionKind{Group: "limen.dev", Version: "v1alpha1", Kind: "ObservabilityPolicy"}
	gvkNPS    = schema.GroupVersionKind{Group: "limen.dev", Version: "v1alpha1", Kind: "NodeProbeState"}
	gvkIWL    = schema.GroupVersionKind{Group: "limen.dev", Version: "v1alpha1", Kind: "InstrumentedWorkload"}
)

const (
	indexController = "controllerUID"
	indexUID        = "uid"
	annInjected     = "limen.dev/injected"
	labelManagedBy  = "app.kubernetes.io/managed-by"
)

func newUnstructured(gvk schema.GroupVersionKind) *unstructured.Unstructured {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(gvk)
	return u
}

func newUnstructuredList(gvk schema.GroupVersionKind) *unstructured.UnstructuredList {
	u := &unstructured.UnstructuredList{}
	u.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
	return u
}

func controllerUID(o metav1.Object) []string {
	if ref := metav1.GetControllerOf(o); ref != nil {
		return []string{string(ref.UID)}
	}
	return nil
}

// ---- workload keys ---------------------------------------------------------------------

func keyOf(ns, deployment string) reconcile.Request {
	return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: "deployment-" + deployment}}
}

type mapper struct{ c client.Reader }

func (m mapper) podKeys(ctx context.Context, pod *corev1.Pod) []reconcile.Request {
	ref := metav1.GetControllerOf(pod)
	if ref == nil || ref.Kind != "ReplicaSet" || ref.APIVersion != "apps/v1" {
		return nil
	}
	var rs appsv1.ReplicaSet
	if err := m.c.Get(ctx, types.NamespacedName{Namespace: pod.Namespace, Name: ref.Name}, &rs); err != nil || rs.UID != ref.UID {
		return nil
	}
	return m.rsKeys(&rs)
}

func (m mapper) rsKeys(rs *appsv1.ReplicaSet) []reconcile.Request {
	ref := metav1.GetControllerOf(rs)
	if ref == nil || ref.Kind != "Deployment" {
		return nil
	}
	return []reconcile.Request{keyOf(rs.Namespace, ref.Name)}
}

func (m mapper) namespaceKeys(ctx context.Context, ns string) []reconcile.Request {
	seen := map[reconcile.Request]bool{}
	var pods corev1.PodList
	if err := m.c.List(ctx, &pods, client.InNamespace(ns)); err == nil {
		for i := range pods.Items {
			for _, k := range m.podKeys(ctx, &pods.Items[i]) {
				seen[k] = true
			}
		}
	}
	iwls := newUnstructuredList(gvkIWL)
	if err := m.c.List(ctx, iwls, client.InNamespace(ns)); err == nil {
		for _, w := range iwls.Items {
			seen[reconcile.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: w.GetName()}}] = true
		}
	}
	out := make([]reconcile.Request, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	return out
}

func (m mapper) npsKeys(ctx context.Context, nps *unstructured.Unstructured) []reconcile.Request {
	entries, _, _ := unstructured.NestedSlice(nps.Object, "status", "pods")
	seen := map[reconcile.Request]bool{}
	for _, e := range entries {
		entry, ok := e.(map[string]interface{})
		if !ok {
			continue
		}
		uid, _ := entry["uid"].(string)
		var pods corev1.PodList
		if err := m.c.List(ctx, &pods, client.MatchingFields{indexUID: uid}); err != nil {
			continue
		}
		for i := range pods.Items {
			for _, k := range m.podKeys(ctx, &pods.Items[i]) {
				seen[k] = true
			}
		}
	}
	out := make([]reconcile.Request, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	return out
}

// ---- reconcile --------------------------------------------------------------------------

type thresholds struct {
	startup    time.Duration
	memory     int64
	coverage   int64
	required   int
	sustainFor time.Duration
}

func readinessOf(p *unstructured.Unstructured) (thresholds, error) {
	t := thresholds{startup: 12 * time.Millisecond, coverage: 92, required: 2}
	mem, sustain := "3.2M", "2160h"
	r, _, _ := unstructured.NestedMap(p.Object, "spec", "readiness")
	if v, ok := r["startupMillis"].(int64); ok {
		t.startup = time.Duration(v) * time.Millisecond
	}
	if v, ok := r["memory"].(string); ok {
		mem = v
	}
	if v, ok := r["coveragePercent"].(int64); ok {
		t.coverage = v
	}
	if v, ok := r["requiredCriteria"].(int64); ok {
		t.required = int(v)
	}
	if v, ok := r["sustainFor"].(string); ok {
		sustain = v
	}
	q, err := resource.ParseQuantity(mem)
	if err != nil {
		return t, fmt.Errorf("spec.readiness.memory: %w", err)
	}
	t.memory = q.Value()
	if t.sustainFor, err = time.ParseDuration(sustain); err != nil {
		return t, fmt.Errorf("spec.readiness.sustainFor: %w", err)
	}
	return t, nil
}

type sample struct {
	startup, rss, delivered, dropped int64
	reportedAt                       time.Time
}

// Status types: the field names of crds/instrumentedworkloads.yaml.
type policyRef struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}
type podCounts struct {
	Total        int64 `json:"total"`
	Injected     int64 `json:"injected"`
	Instrumented int64 `json:"instrumented"`
}
type startupM struct {
	P50 string `json:"p50,omitempty"`
	P95 string `json:"p95,omitempty"`
	Max string `json:"max,omitempty"`
}
type measurements struct {
	Startup             *startupM    `json:"startup,omitempty"`
	Memory              string       `json:"memory,omitempty"`
	MemoryBytes         int64        `json:"memoryBytes,omitempty"`
	Coverage            string       `json:"coverage,omitempty"`
	CoverageBasisPoints int64        `json:"coverageBasisPoints,omitempty"`
	SampledAt           *metav1.Time `json:"sampledAt,omitempty"`
}
type criterion struct {
	Name      string       `json:"name"`
	Met       string       `json:"met"`
	Value     string       `json:"value,omitempty"`
	Threshold string       `json:"threshold,omitempty"`
	MetSince  *metav1.Time `json:"metSince,omitempty"`
	Reason    string       `json:"reason,omitempty"`
}
type iwlStatus struct {
	ObservedGeneration int64              `json:"observedGeneration,omitempty"`
	Conditions         []metav1.Condition `json:"conditions,omitempty"`
	Policies           []policyRef        `json:"policies,omitempty"`
	Pods               podCounts          `json:"pods"`
	Measurements       *measurements      `json:"measurements,omitempty"`
	Criteria           []criterion        `json:"criteria,omitempty"`
	CriteriaMet        int64              `json:"criteriaMet,omitempty"`
	CriteriaSummary    string             `json:"criteriaSummary,omitempty"`
}

func oneDecimal(value, unit int64, suffix string) string {
	tenths := (value*10 + unit/2) / unit
	return fmt.Sprintf("%d.%d%s", tenths/10, tenths%10, suffix)
}

func percentile(values []int64, p int) int64 {
	v := append([]int64(nil), values...)
	sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
	rank := (p*len(v) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return v[rank-1]
}

type measured struct {
	met                      *bool
	value, threshold, reason string
}

func boolp(b bool) *bool { return &b }

// evaluate ports readiness::Evaluate: the next measurements, criteria and conditions.
func evaluate(prev *iwlStatus, samples []sample, t thresholds, gen int64, now time.Time,
	interval time.Duration, out *iwlStatus) (requeue time.Duration) {
	var fresh []sample
	for _, s := range samples {
		if !s.reportedAt.Before(now.Add(-3 * interval)) {
			fresh = append(fresh, s)
		}
	}
	m := &measurements{}
	if len(fresh) > 0 {
		newest := fresh[0].reportedAt
		for _, s := range fresh {
			if s.reportedAt.After(newest) {
				newest = s.reportedAt
			}
		}
		m.SampledAt = &metav1.Time{Time: newest.Truncate(time.Second)}
	}
	// startup
	var startups []int64
	for _, s := range fresh {
		if s.startup > 0 {
			startups = append(startups, s.startup)
		}
	}
	ms := measured{threshold: oneDecimal(t.startup.Nanoseconds(), 1e6, "ms"), reason: "NoStartupSamples"}
	if len(startups) > 0 {
		p95 := percentile(startups, 95)
		max := percentile(startups, 100)
		m.Startup = &startupM{P50: oneDecimal(percentile(startups, 50), 1e6, "ms"),
			P95: oneDecimal(p95, 1e6, "ms"), Max: oneDecimal(max, 1e6, "ms")}
		ms.value, ms.met = m.Startup.P95, boolp(p95 <= t.startup.Nanoseconds())
		ms.reason = map[bool]string{true: "WithinThreshold", false: "AboveThreshold"}[*ms.met]
	}
	// memory
	var largest int64
	for _, s := range fresh {
		if s.rss > largest {
			largest = s.rss
		}
	}
	mm := measured{threshold: oneDecimal(t.memory, 1e6, "M"), reason: "NoMemorySamples"}
	if largest > 0 {
		m.MemoryBytes, m.Memory = largest, oneDecimal(largest, 1e6, "M")
		mm.value, mm.met = m.Memory, boolp(largest <= t.memory)
		mm.reason = map[bool]string{true: "WithinThreshold", false: "AboveThreshold"}[*mm.met]
	}
	// coverage
	var delivered, total int64
	for _, s := range fresh {
		delivered += s.delivered
		total += s.delivered + s.dropped
	}
	mc := measured{threshold: oneDecimal(t.coverage*100, 100, "%"), reason: "NoEvents"}
	if total > 0 {
		for delivered > (1<<63-1)/10000 {
			delivered, total = delivered/2, total/2
		}
		bp := delivered * 10000 / total
		m.CoverageBasisPoints, m.Coverage = bp, oneDecimal(bp, 100, "%")
		mc.value, mc.met = m.Coverage, boolp(bp >= t.coverage*100)
		mc.reason = map[bool]string{true: "WithinThreshold", false: "BelowThreshold"}[*mc.met]
	}
	if m.Startup != nil || m.Memory != "" || m.Coverage != "" || m.SampledAt != nil {
		out.Measurements = m
	}
	prevCrit := map[string]criterion{}
	for _, c := range prev.Criteria {
		prevCrit[c.Name] = c
	}
	truncNow := metav1.Time{Time: now.Truncate(time.Second)}
	met, unknown := 0, 0
	var completes []time.Time
	for _, nm := range []struct {
		name string
		m    measured
	}{{"Startup", ms}, {"Memory", mm}, {"Coverage", mc}} {
		c := criterion{Name: nm.name, Value: nm.m.value, Threshold: nm.m.threshold, Reason: nm.m.reason}
		if len(fresh) == 0 {
			c.Reason = map[bool]string{true: "NoData", false: "StaleData"}[len(samples) == 0]
		}
		switch {
		case nm.m.met == nil:
			c.Met = "Unknown"
			unknown++
		case *nm.m.met:
			c.Met = "True"
			met++
			if before, ok := prevCrit[nm.name]; ok && before.Met == "True" && before.MetSince != nil {
				c.MetSince = before.MetSince
			} else {
				c.MetSince = &truncNow
			}
			since := c.MetSince.Time
			if since.After(now) {
				since = now
			}
			completes = append(completes, since.Add(t.sustainFor))
		default:
			c.Met = "False"
		}
		out.Criteria = append(out.Criteria, c)
	}
	out.CriteriaMet = int64(met)
	out.CriteriaSummary = fmt.Sprintf("%d/3", met)
	th := metav1.Condition{Type: "ThresholdsMet", ObservedGeneration: gen}
	switch {
	case met >= t.required:
		th.Status, th.Reason = metav1.ConditionTrue, "ThresholdsMet"
	case met+unknown < t.required:
		th.Status, th.Reason = metav1.ConditionFalse, "ThresholdsNotMet"
	default:
		th.Status, th.Reason = metav1.ConditionUnknown, "InsufficientData"
	}
	th.Message = fmt.Sprintf("%d/3 criteria hold now; %d required", met, t.required)
	var at *time.Time
	if t.required > 0 && len(completes) >= t.required {
		sort.Slice(completes, func(i, j int) bool { return completes[i].Before(completes[j]) })
		at = &completes[t.required-1]
	}
	sustained := at != nil && !at.After(now)
	ready := metav1.Condition{Type: "Ready", ObservedGeneration: gen, Status: metav1.ConditionFalse}
	switch {
	case sustained:
		ready.Status, ready.Reason = metav1.ConditionTrue, "Sustained"
		ready.Message = fmt.Sprintf("%d of 3 criteria have each held for %s", t.required, t.sustainFor)
	case at != nil:
		ready.Reason = "Sustaining"
		ready.Message = "sustained at " + at.UTC().Format(time.RFC3339) + " if the criteria keep holding"
	default:
		ready.Reason, ready.Message = th.Reason, th.Message
	}
	out.Conditions = append([]metav1.Condition(nil), prev.Conditions...)
	for _, c := range []metav1.Condition{th, ready} {
		c.LastTransitionTime = truncNow
		meta.SetStatusCondition(&out.Conditions, c)
	}
	if at != nil && !sustained {
		requeue = at.Sub(now)
	}
	if len(fresh) > 0 {
		oldest := fresh[0].reportedAt
		for _, s := range fresh {
			if s.reportedAt.Before(oldest) {
				oldest = s.reportedAt
			}
		}
		if untilStale := oldest.Add(3 * interval).Sub(now); requeue == 0 || untilStale < requeue {
			requeue = untilStale
		}
	}
	return requeue
}

type reconciler struct {
	client.Client
	interval time.Duration
}

func isActive(p *corev1.Pod) bool {
	return p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed && p.DeletionTimestamp == nil
}

func (r *reconciler) deleteStale(ctx context.Context, iwl *unstructured.Unstructured) (ctrl.Result, error) {
	if iwl == nil || iwl.GetLabels()[labelManagedBy] != "limen" || iwl.GetDeletionTimestamp() != nil {
		return ctrl.Result{}, nil
	}
	uid := iwl.GetUID()
	err := r.Delete(ctx, iwl, client.Preconditions{UID: &uid}, client.PropagationPolicy(metav1.DeletePropagationBackground))
	return ctrl.Result{}, client.IgnoreNotFound(err)
}

func (r *reconciler) Reconcile(ctx context.Context, req reconcile.Request) (ctrl.Result, error) {
	name, ok := strings.CutPrefix(req.Name, "deployment-")
	if !ok {
		return ctrl.Result{}, nil // other kinds: outside the benchmark's scope
	}
	ns := req.Namespace
	var existing *unstructured.Unstructured
	if u := newUnstructured(gvkIWL); r.Get(ctx, req.NamespacedName, u) == nil {
		existing = u
		if u.GetLabels()[labelManagedBy] != "limen" {
			return ctrl.Result{}, nil
		}
	}
	var d appsv1.Deployment
	if err := r.Get(ctx, types.NamespacedName{Namespace: ns, Name: name}, &d); err != nil || d.DeletionTimestamp != nil {
		if err != nil && !apierrors.IsNotFound(err) {
			return ctrl.Result{}, err
		}
		return r.deleteStale(ctx, existing)
	}
	var rss appsv1.ReplicaSetList
	if err := r.List(ctx, &rss, client.InNamespace(ns), client.MatchingFields{indexController: string(d.UID)}); err != nil {
		return ctrl.Result{}, err
	}
	var pods []corev1.Pod
	for _, rs := range rss.Items {
		var pl corev1.PodList
		if err := r.List(ctx, &pl, client.InNamespace(ns), client.MatchingFields{indexController: string(rs.UID)}); err != nil {
			return ctrl.Result{}, err
		}
		for i := range pl.Items {
			if isActive(&pl.Items[i]) {
				pods = append(pods, pl.Items[i])
			}
		}
	}
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })

	policies := newUnstructuredList(gvkPolicy)
	if err := r.List(ctx, policies, client.InNamespace(ns)); err != nil {
		return ctrl.Result{}, err
	}
	sort.Slice(policies.Items, func(i, j int) bool { return policies.Items[i].GetName() < policies.Items[j].GetName() })
	var status iwlStatus
	var th *thresholds
	for i := range policies.Items {
		p := &policies.Items[i]
		raw, found, _ := unstructured.NestedMap(p.Object, "spec", "selector")
		if !found {
			continue
		}
		var ls metav1.LabelSelector
		if runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &ls) != nil {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(&ls)
		if err != nil {
			continue
		}
		t, err := readinessOf(p)
		if err != nil {
			continue
		}
		selects := false
		for k := range pods {
			if sel.Matches(labels.Set(pods[k].Labels)) {
				selects = true
				break
			}
		}
		if !selects {
			continue
		}
		status.Policies = append(status.Policies, policyRef{Kind: "ObservabilityPolicy", Name: p.GetName()})
		if th == nil {
			th = &t
		}
	}
	if len(status.Policies) == 0 {
		return r.deleteStale(ctx, existing)
	}
	var samples []sample
	for k := range pods {
		p := &pods[k]
		status.Pods.Total++
		if p.Annotations[annInjected] != "" {
			status.Pods.Injected++
		}
		if p.Spec.NodeName == "" {
			continue
		}
		nps := newUnstructured(gvkNPS)
		if r.Get(ctx, types.NamespacedName{Name: p.Spec.NodeName}, nps) != nil {
			continue
		}
		entries, _, _ := unstructured.NestedSlice(nps.Object, "status", "pods")
		for _, e := range entries {
			entry, ok := e.(map[string]interface{})
			if !ok || entry["uid"] != string(p.UID) {
				continue
			}
			status.Pods.Instrumented++
			reported, _, _ := unstructured.NestedString(nps.Object, "status", "reportedAt")
			at, err := time.Parse(time.RFC3339, reported)
			if err != nil {
				break
			}
			s := sample{reportedAt: at}
			s.startup, _, _ = unstructured.NestedInt64(entry, "startupNanos")
			s.rss, _, _ = unstructured.NestedInt64(entry, "rssBytes")
			s.delivered, _, _ = unstructured.NestedInt64(entry, "events", "delivered")
			s.dropped, _, _ = unstructured.NestedInt64(entry, "events", "dropped")
			samples = append(samples, s)
			break
		}
	}

	iwl := existing
	if iwl == nil {
		iwl = newUnstructured(gvkIWL)
		iwl.SetNamespace(ns)
		iwl.SetName(req.Name)
		iwl.SetLabels(map[string]string{labelManagedBy: "limen"})
		iwl.SetOwnerReferences([]metav1.OwnerReference{{APIVersion: "apps/v1", Kind: "Deployment",
			Name: d.Name, UID: d.UID, Controller: boolp(true), BlockOwnerDeletion: boolp(true)}})
		_ = unstructured.SetNestedMap(iwl.Object, map[string]interface{}{
			"apiVersion": "apps/v1", "kind": "Deployment", "name": d.Name, "uid": string(d.UID)}, "spec", "workloadRef")
		if err := r.Create(ctx, iwl); err != nil {
			return ctrl.Result{}, err
		}
	}
	var prev iwlStatus
	if raw, found, _ := unstructured.NestedMap(iwl.Object, "status"); found {
		_ = runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &prev)
	}
	status.ObservedGeneration = iwl.GetGeneration()
	requeue := evaluate(&prev, samples, *th, iwl.GetGeneration(), time.Now(), r.interval, &status)
	next, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&status)
	if err != nil {
		return ctrl.Result{}, err
	}
	current, _, _ := unstructured.NestedMap(iwl.Object, "status")
	if !equality.Semantic.DeepEqual(current, next) {
		iwl.Object["status"] = next
		if err := r.Status().Update(ctx, iwl); err != nil {
			return ctrl.Result{}, err
		}
	}
	if requeue > 0 {
		return ctrl.Result{RequeueAfter: requeue}, nil
	}
	return ctrl.Result{}, nil
}

func main() {
	if os.Getenv("LIMEN_BENCH_EXIT_AT_MAIN") != "" {
		var ts unix.Timespec
		_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
		fmt.Println(ts.Nano())
		return
	}
	workers := flag.Int("workers", 2, "MaxConcurrentReconciles (limen-operator's default: 2)")
	metricsAddr := flag.String("metrics-addr", "127.0.0.1:8080", "/metrics")
	healthAddr := flag.String("health-addr", "127.0.0.1:8081", "/healthz, /readyz")
	interval := flag.Duration("report-interval", 15*time.Second, "node agents' report interval")
	leaderElect := flag.Bool("leader-elect", true, "leader election (Lease in limen-system)")
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseDevMode(false)))

	cfg, err := ctrl.GetConfig() // -kubeconfig is controller-runtime's own flag
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubeconfig:", err)
		os.Exit(2)
	}
	cfg.QPS, cfg.Burst = 50, 100 // limen-operator's client defaults
	scheme := runtime.NewScheme()
	_ = clientgoscheme.AddToScheme(scheme)
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                        scheme,
		Metrics:                       metricsserver.Options{BindAddress: *metricsAddr},
		HealthProbeBindAddress:        *healthAddr,
		LeaderElection:                *leaderElect,
		LeaderElectionID:              "controller-runtime-operator-bench",
		LeaderElectionNamespace:       "limen-system",
		LeaderElectionReleaseOnCancel: true,
		Cache:                         cache.Options{DefaultTransform: cache.TransformStripManagedFields()},
		// Serve unstructured reads from the cache too (controller-runtime reads them live
		// from the apiserver by default).
		Client: client.Options{Cache: &client.CacheOptions{Unstructured: true}},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "manager:", err)
		os.Exit(1)
	}
	_ = mgr.AddHealthzCheck("ping", healthz.Ping)
	_ = mgr.AddReadyzCheck("ping", healthz.Ping)
	ctx := ctrl.SetupSignalHandler()
	idx := mgr.GetFieldIndexer()
	for _, obj := range []client.Object{&corev1.Pod{}, &appsv1.ReplicaSet{}} {
		if err := idx.IndexField(ctx, obj, indexController, func(o client.Object) []string { return controllerUID(o) }); err != nil {
			fmt.Fprintln(os.Stderr, "index:", err)
			os.Exit(1)
		}
	}
	if err := idx.IndexField(ctx, &corev1.Pod{}, indexUID, func(o client.Object) []string { return []string{string(o.GetUID())} }); err != nil {
		fmt.Fprintln(os.Stderr, "index:", err)
		os.Exit(1)
	}
	m := mapper{mgr.GetCache()}
	policyChanged := predicate.Funcs{UpdateFunc: func(e event.UpdateEvent) bool {
		return e.ObjectOld.GetGeneration() != e.ObjectNew.GetGeneration()
	}}
	err = ctrl.NewControllerManagedBy(mgr).
		Named("instrumentedworkload").
		For(newUnstructured(gvkIWL)).
		Watches(&corev1.Pod{}, handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
			return m.podKeys(ctx, o.(*corev1.Pod))
		})).
		Watches(&appsv1.ReplicaSet{}, handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
			return m.rsKeys(o.(*appsv1.ReplicaSet))
		})).
		Watches(&appsv1.Deployment{}, handler.EnqueueRequestsFromMapFunc(func(_ context.Context, o client.Object) []reconcile.Request {
			return []reconcile.Request{keyOf(o.GetNamespace(), o.GetName())}
		})).
		Watches(newUnstructured(gvkPolicy), handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
			return m.namespaceKeys(ctx, o.GetNamespace())
		}), builder.WithPredicates(policyChanged)).
		Watches(newUnstructured(gvkNPS), handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
			return m.npsKeys(ctx, o.(*unstructured.Unstructured))
		})).
		WithOptions(controller.Options{MaxConcurrentReconciles: *workers}).
		Complete(&reconciler{Client: mgr.GetClient(), interval: *interval})
	if err != nil {
		fmt.Fprintln(os.Stderr, "controller:", err)
		os.Exit(1)
	}
	if err := mgr.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "manager:", err)
		os.Exit(1)
	}
}

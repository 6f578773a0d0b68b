// controller-runtime-webhook: the peer of bench/webhook's admission benchmark — a Pod
// mutating webhook written the usual kubebuilder way (a manager, its cached client, the
// webhook server and webhook.Admission with a Handler that decodes the Pod, mutates the Go
// struct and answers admission.PatchResponseFromRaw), doing the injection limen-webhook does
// (webhooks/src/planner.cc):
//
//   - the same rules: protected namespaces, the namespace opt-in label, the Pod opt-out label,
//     an already-injected Pod untouched, a name collision or hostNetwork skipped with
//     limen.dev/injection-status, the first (by name) ResiliencePolicy whose selector matches,
//     and only once the operator wrote its status.renderedConfig.hash;
//   - the same additions: the native sidecar (init container, restartPolicy Always, the
//     Pod Security "restricted" securityContext, the config's image/resources/user), the
//     socket emptyDir and the config ConfigMap volume, LIMEN_SOCKET / LIMEN_LOCATOR and a
//     read-only socket mount in every app container, and the two annotations.
//
// WasmFilter volumes are not implemented (the benchmark's policy references none); the
// WasmFilters of the namespace are still listed from the cache on each admission, as Limen
// does, so both pay that read.
//
// Policy data comes from the manager's informer cache (Namespaces, ResiliencePolicies,
// WasmFilters; unstructured objects cached via client.CacheOptions{Unstructured: true}), so
// no admission calls the apiserver. Every request this process sends to the apiserver is
// counted; the count and the admission count are printed on SIGTERM, so a run can show that
// admissions made no apiserver calls.
//
// Like limen-webhook it logs one structured (JSON) line per admission decision.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"sync/atomic"
	"syscall"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

// Names shared with limen-webhook (webhooks/include/limen/webhook/planner.h, lib/api
// well_known.h, lib/envoy).
const (
	sidecarName           = "limen-sidecar"
	socketVolume          = "limen-socket"
	configVolume          = "limen-config"
	socketDir             = "/var/run/limen"
	configDir             = "/etc/limen"
	envSocket             = "LIMEN_SOCKET"
	envLocator            = "LIMEN_LOCATOR"
	outboundSocket        = "/var/run/limen/outbound.sock"
	envoyConfigKey        = "envoy.json"
	annotationInjected    = "limen.dev/injected"
	annotationStatus      = "limen.dev/injection-status"
	labelInjection        = "limen.dev/injection"
	labelInject           = "limen.dev/inject"
	limenNamespace        = "limen-system"
	maxSidecarConcurrency = 4
)

var (
	policyListGVK = schema.GroupVersionKind{Group: "limen.dev", Version: "v1alpha1", Kind: "ResiliencePolicyList"}
	filterListGVK = schema.GroupVersionKind{Group: "limen.dev", Version: "v1alpha1", Kind: "WasmFilterList"}
)

// config is the injector configuration (limen-webhook's InjectorConfig defaults).
type config struct {
	image   string
	locator string
	user    int64
}

type injector struct {
	reader  client.Reader
	decoder admission.Decoder
	cfg     config
	log     logr.Logger
	count   atomic.Int64
}

// decision is the outcome of planning, like Limen's Decision.
type decision struct {
	reason  string
	message string
	policy  string
	hash    string
	skip    bool // annotate the skip (Limen's Skip) rather than leave the Pod untouched
}

func (in *injector) Handle(ctx context.Context, req admission.Request) admission.Response {
	in.count.Add(1)
	if req.Operation != "CREATE" || req.Resource.Resource != "pods" || req.Resource.Group != "" ||
		req.SubResource != "" {
		return admission.Allowed("")
	}
	pod := &corev1.Pod{}
	if err := in.decoder.Decode(req, pod); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	ns := req.Namespace
	if ns == "" {
		ns = pod.Namespace
	}
	d, err := in.plan(ctx, ns, pod)
	if err != nil {
		in.log.Error(err, "internal error, admitted without a patch", "uid", req.UID)
		return admission.Allowed("")
	}
	name := pod.Name
	if name == "" {
		name = "<generated>"
	}
	in.log.Info("admission", "namespace", ns, "name", name, "uid", req.UID, "reason", d.reason,
		"message", d.message, "policy", d.policy, "hash", d.hash)
	if d.reason != "Injected" && !d.skip {
		return admission.Allowed("")
	}
	marshaled, err := json.Marshal(pod)
	if err != nil {
		return admission.Errored(http.StatusInternalServerError, err)
	}
	return admission.PatchResponseFromRaw(req.Object.Raw, marshaled)
}

// plan applies Limen's rules and, when injecting or skipping with a reason, mutates pod.
func (in *injector) plan(ctx context.Context, ns string, pod *corev1.Pod) (decision, error) {
	if len(pod.Spec.Containers) == 0 {
		return decision{reason: "InvalidPod"}, nil
	}
	if ns == "kube-system" || ns == "kube-node-lease" || ns == limenNamespace {
		return decision{reason: "ProtectedNamespace"}, nil
	}
	var namespace corev1.Namespace
	err := in.reader.Get(ctx, client.ObjectKey{Name: ns}, &namespace)
	if err == nil {
		if namespace.Labels[labelInjection] != "enabled" {
			return decision{reason: "NamespaceNotEnabled"}, nil
		}
	} else if client.IgnoreNotFound(err) != nil {
		return decision{}, err
	}
	if pod.Labels[labelInject] == "false" {
		return decision{reason: "OptedOut"}, nil
	}
	if hasContainer(pod.Spec.InitContainers) || hasContainer(pod.Spec.Containers) {
		if _, ok := pod.Annotations[annotationInjected]; ok {
			return decision{reason: "AlreadyInjected"}, nil
		}
		return skip(pod, "NameCollision", "a container named "+sidecarName+" already exists"), nil
	}
	if pod.Spec.HostNetwork {
		return skip(pod, "HostNetwork", "pod uses the host network"), nil
	}
	policies := &unstructured.UnstructuredList{}
	policies.SetGroupVersionKind(policyListGVK)
	if err := in.reader.List(ctx, policies, client.InNamespace(ns)); err != nil {
		return decision{}, err
	}
	filters := &unstructured.UnstructuredList{}
	filters.SetGroupVersionKind(filterListGVK)
	if err := in.reader.List(ctx, filters, client.InNamespace(ns)); err != nil {
		return decision{}, err
	}
	policy := matchingPolicy(policies.Items, pod.Labels)
	if policy == nil {
		return skip(pod, "NoPolicy", "no ResiliencePolicy of namespace "+ns+" selects it"), nil
	}
	hash, _, _ := unstructured.NestedString(policy.Object, "status", "renderedConfig", "hash")
	if hash == "" {
		d := skip(pod, "PolicyNotRendered", "ResiliencePolicy "+policy.GetName()+" has no status.renderedConfig.hash yet")
		d.policy = policy.GetName()
		return d, nil
	}
	if collision := findCollision(pod); collision != "" {
		d := skip(pod, "NameCollision", collision)
		d.policy, d.hash = policy.GetName(), hash
		return d, nil
	}
	inject(pod, policy, hash, in.cfg)
	return decision{reason: "Injected", message: "sidecar injected for ResiliencePolicy " + policy.GetName(),
		policy: policy.GetName(), hash: hash}, nil
}

func hasContainer(containers []corev1.Container) bool {
	for _, c := range containers {
		if c.Name == sidecarName {
			return true
		}
	}
	return false
}

func skip(pod *corev1.Pod, reason, message string) decision {
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[annotationStatus] = "skipped: " + reason
	delete(pod.Annotations, annotationInjected)
	return decision{reason: reason, message: message, skip: true}
}

// matchingPolicy returns the first by name of the policies whose spec.selector matches.
func matchingPolicy(items []unstructured.Unstructured, podLabels map[string]string) *unstructured.Unstructured {
	var matching []*unstructured.Unstructured
	for i := range items {
		raw, found, _ := unstructured.NestedMap(items[i].Object, "spec", "selector")
		if !found {
			continue
		}
		var sel metav1.LabelSelector
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(raw, &sel); err != nil {
			continue
		}
		s, err := metav1.LabelSelectorAsSelector(&sel)
		if err != nil || !s.Matches(labels.Set(podLabels)) {
			continue
		}
		matching = append(matching, &items[i])
	}
	if len(matching) == 0 {
		return nil
	}
	sort.Slice(matching, func(a, b int) bool { return matching[a].GetName() < matching[b].GetName() })
	return matching[0]
}

func findCollision(pod *corev1.Pod) string {
	for _, v := range pod.Spec.Volumes {
		if v.Name == socketVolume || v.Name == configVolume {
			return fmt.Sprintf("volume %q already exists", v.Name)
		}
	}
	for _, list := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for _, c := range list {
			for _, m := range c.VolumeMounts {
				if m.MountPath == socketDir {
					return fmt.Sprintf("container %q already mounts a volume at %s", c.Name, socketDir)
				}
			}
		}
	}
	return ""
}

func inject(pod *corev1.Pod, policy *unstructured.Unstructured, hash string, cfg config) {
	name := policy.GetName()
	pod.Spec.Volumes = append(pod.Spec.Volumes,
		corev1.Volume{Name: socketVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		corev1.Volume{Name: configVolume, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: "limen-" + name + "-sidecar"}}}})
	for i := range pod.Spec.Containers {
		c := &pod.Spec.Containers[i]
		for _, want := range []corev1.EnvVar{{Name: envSocket, Value: outboundSocket}, {Name: envLocator, Value: cfg.locator}} {
			present := false
			for _, e := range c.Env {
				present = present || e.Name == want.Name
			}
			if !present {
				c.Env = append(c.Env, want)
			}
		}
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: socketVolume, MountPath: socketDir, ReadOnly: true})
	}
	logLevel, concurrency := "info", int64(1)
	if l, ok, _ := unstructured.NestedString(policy.Object, "spec", "sidecar", "logLevel"); ok {
		logLevel = l
	}
	if c, ok, _ := unstructured.NestedInt64(policy.Object, "spec", "sidecar", "concurrency"); ok {
		concurrency = min(max(c, 1), maxSidecarConcurrency)
	}
	always := corev1.ContainerRestartPolicyAlways
	fieldRef := func(path string) *corev1.EnvVarSource {
		return &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: path}}
	}
	sidecar := corev1.Container{
		Name:            sidecarName,
		Image:           cfg.image,
		ImagePullPolicy: corev1.PullIfNotPresent,
		Command:         []string{"/usr/local/bin/envoy"},
		Args: []string{"-c", configDir + "/" + envoyConfigKey, "--log-level", logLevel, "--concurrency",
			strconv.FormatInt(concurrency, 10), "--disable-hot-restart"},
		Env: []corev1.EnvVar{
			{Name: "POD_NAME", ValueFrom: fieldRef("metadata.name")},
			{Name: "POD_NAMESPACE", ValueFrom: fieldRef("metadata.namespace")},
			{Name: "LIMEN_POLICY", Value: name},
			{Name: envSocket, Value: outboundSocket},
		},
		Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("32Mi")},
			Limits:   corev1.ResourceList{corev1.ResourceMemory: resource.MustParse("128Mi")},
		},
		SecurityContext: &corev1.SecurityContext{
			AllowPrivilegeEscalation: ptr(false),
			Privileged:               ptr(false),
			ReadOnlyRootFilesystem:   ptr(true),
			RunAsNonRoot:             ptr(true),
			RunAsUser:                ptr(cfg.user),
			RunAsGroup:               ptr(cfg.user),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
		VolumeMounts: []corev1.VolumeMount{
			{Name: socketVolume, MountPath: socketDir},
			{Name: configVolume, MountPath: configDir, ReadOnly: true},
		},
		RestartPolicy: &always,
	}
	pod.Spec.InitContainers = append([]corev1.Container{sidecar}, pod.Spec.InitContainers...)
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[annotationInjected] = name + "@" + hash
	pod.Annotations[annotationStatus] = "injected"
}

func ptr[T any](v T) *T { return &v }

func main() {
	// -kubeconfig is controller-runtime's own flag (pkg/client/config), read by ctrl.GetConfig.
	host := flag.String("host", "127.0.0.1", "listen address")
	port := flag.Int("port", 9443, "HTTPS port")
	certDir := flag.String("cert-dir", "", "directory holding tls.crt and tls.key")
	image := flag.String("sidecar-image", "", "sidecar image (pinned by digest)")
	locator := flag.String("locator", "limen-operator.limen-system.svc:8443", "LIMEN_LOCATOR value")
	probeAddr := flag.String("health-addr", "127.0.0.1:0", "address of /healthz and /readyz (HTTP)")
	flag.Parse()
	if *certDir == "" || *image == "" {
		fmt.Fprintln(os.Stderr, "-cert-dir and -sidecar-image are required")
		os.Exit(2)
	}
	ctrl.SetLogger(zap.New(zap.UseDevMode(false)))
	log := ctrl.Log.WithName("injector")

	cfg, err := ctrl.GetConfig()
	if err != nil {
		log.Error(err, "kubeconfig")
		os.Exit(1)
	}
	var apiCalls atomic.Int64
	cfg.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return roundTripperFunc(func(r *http.Request) (*http.Response, error) {
			apiCalls.Add(1)
			return rt.RoundTrip(r)
		})
	})
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		panic(err)
	}
	mgr, err := ctrl.NewManager(cfg, ctrl.Options{
		Scheme:                 scheme,
		Metrics:                metricsserver.Options{BindAddress: "0"}, // still recorded, not served
		HealthProbeBindAddress: *probeAddr,
		WebhookServer: webhook.NewServer(webhook.Options{
			Host: *host, Port: *port, CertDir: *certDir, CertName: "tls.crt", KeyName: "tls.key",
		}),
		// Reads of the CRDs (unstructured) come from the cache too, not from the apiserver.
		Client: client.Options{Cache: &client.CacheOptions{Unstructured: true}},
	})
	if err != nil {
		log.Error(err, "manager")
		os.Exit(1)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer cancel()
	// Start the three informers with the manager instead of on the first admission.
	policies := &unstructured.Unstructured{}
	policies.SetGroupVersionKind(policyListGVK.GroupVersion().WithKind("ResiliencePolicy"))
	filters := &unstructured.Unstructured{}
	filters.SetGroupVersionKind(filterListGVK.GroupVersion().WithKind("WasmFilter"))
	for _, obj := range []client.Object{&corev1.Namespace{}, policies, filters} {
		if _, err := mgr.GetCache().GetInformer(ctx, obj); err != nil {
			log.Error(err, "informer")
			os.Exit(1)
		}
	}
	inj := &injector{reader: mgr.GetClient(), decoder: admission.NewDecoder(scheme),
		cfg: config{image: *image, locator: *locator, user: 101}, log: log}
	mgr.GetWebhookServer().Register("/mutate-pods", &webhook.Admission{Handler: inj})
	_ = mgr.AddHealthzCheck("ping", healthz.Ping)
	_ = mgr.AddReadyzCheck("webhook", mgr.GetWebhookServer().StartedChecker())
	if err := mgr.Start(ctx); err != nil {
		log.Error(err, "manager stopped")
		os.Exit(1)
	}
	fmt.Printf("{\"admissions\":%d,\"apiserver_requests\":%d}\n", inj.count.Load(), apiCalls.Load())
}

type roundTripperFunc func(*http.Request) (*http.Response, error)

func (f roundTripperFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

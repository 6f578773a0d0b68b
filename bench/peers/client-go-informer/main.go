// client-go-informer: the peer of bench/kube's informer benchmark — a Pod informer written
// the usual way with client-go (SharedInformerFactory), measured exactly like the C++ one.
//
// It prints one JSON object per line on stdout:
//
//	{"event":"ready", ...}   after the initial sync and the settle period: sync time, RSS
//	{"event":"done", ...}    after it has seen `-expect` Pods updated to label round `-round`
//
// Memory: VmRSS of the process before the informer starts (baseline), after sync plus a
// settle period (rss), and after debug.FreeOSMemory (rss_trimmed, the analogue of the C++
// side's malloc_trim). Go heap statistics are reported beside them.
//
// Watch throughput: bench/kube/run.sh stops this process (SIGSTOP), patches `-expect` Pods
// from a separate writer, and continues it (SIGCONT); the backlog is then drained as fast
// as the informer can. The rate is (expect-1) / (time of last - time of first update seen).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

func rssBytes() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb * 1024
		}
	}
	return -1
}

// stripManagedFields is what controller-runtime's cache.TransformStripManagedFields does;
// client-go itself has no ready-made one.
func stripManagedFields(obj interface{}) (interface{}, error) {
	if a, err := meta.Accessor(obj); err == nil && a.GetManagedFields() != nil {
		a.SetManagedFields(nil)
	}
	return obj, nil
}

type counter struct {
	mu          sync.Mutex
	label       string
	round       string
	expect      int
	seen        map[string]struct{}
	first, last time.Time
	done        chan struct{}
}

func (c *counter) update(oldObj, newObj interface{}) {
	o, ok1 := oldObj.(*v1.Pod)
	n, ok2 := newObj.(*v1.Pod)
	if !ok1 || !ok2 || n.Labels[c.label] != c.round || o.Labels[c.label] == c.round {
		return
	}
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	key := n.Namespace + "/" + n.Name
	if _, dup := c.seen[key]; dup || len(c.seen) >= c.expect {
		return
	}
	if len(c.seen) == 0 {
		c.first = now
	}
	c.seen[key] = struct{}{}
	if len(c.seen) == c.expect {
		c.last = now
		close(c.done)
	}
}

func emit(v map[string]interface{}) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig path")
	transform := flag.String("transform", "none", "none | strip (drop managedFields)")
	protobuf := flag.Bool("protobuf", false, "use application/vnd.kubernetes.protobuf")
	expect := flag.Int("expect", 0, "updates to wait for after ready (0: exit after ready)")
	round := flag.String("round", "", "value of -label that marks an update of this round")
	label := flag.String("label", "bench.limen.dev/round", "label the writer sets")
	settle := flag.Duration("settle", 3*time.Second, "wait after sync before measuring memory")
	timeout := flag.Duration("timeout", 10*time.Minute, "give up after this long")
	flag.Parse()

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kubeconfig:", err)
		os.Exit(2)
	}
	if *protobuf {
		cfg.ContentType = "application/vnd.kubernetes.protobuf"
		cfg.AcceptContentTypes = "application/vnd.kubernetes.protobuf,application/json"
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "client:", err)
		os.Exit(2)
	}
	var opts []informers.SharedInformerOption
	switch *transform {
	case "none":
	case "strip":
		opts = append(opts, informers.WithTransform(stripManagedFields))
	default:
		fmt.Fprintln(os.Stderr, "-transform must be none or strip, not", *transform)
		os.Exit(2)
	}
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, opts...)
	inf := factory.Core().V1().Pods().Informer()
	c := &counter{label: *label, round: *round, expect: *expect, seen: map[string]struct{}{},
		done: make(chan struct{})}
	if _, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{UpdateFunc: c.update}); err != nil {
		fmt.Fprintln(os.Stderr, "handler:", err)
		os.Exit(2)
	}

	runtime.GC()
	baseline := rssBytes()
	stop := make(chan struct{})
	start := time.Now()
	factory.Start(stop)
	// Poll every millisecond rather than cache.WaitForCacheSync's 100 ms, so that the
	// measured sync time is not rounded up.
	for !inf.HasSynced() {
		if time.Since(start) > *timeout {
			fmt.Fprintln(os.Stderr, "timed out waiting for sync")
			os.Exit(1)
		}
		time.Sleep(time.Millisecond)
	}
	syncMs := float64(time.Since(start).Microseconds()) / 1000
	time.Sleep(*settle)
	rss := rssBytes()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	debug.FreeOSMemory()
	trimmed := rssBytes()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	emit(map[string]interface{}{"event": "ready", "impl": "client-go", "transform": *transform,
		"protobuf": *protobuf, "objects": len(inf.GetStore().ListKeys()), "sync_ms": syncMs,
		"rss_baseline": baseline, "rss": rss, "rss_trimmed": trimmed,
		"go_heap_inuse": ms.HeapInuse, "go_heap_alloc_after_gc": after.HeapAlloc,
		"gomaxprocs": runtime.GOMAXPROCS(0), "pid": os.Getpid()})
	if *expect == 0 {
		close(stop)
		return
	}
	select {
	case <-c.done:
	case <-time.After(*timeout):
		c.mu.Lock()
		fmt.Fprintf(os.Stderr, "timed out: saw %d of %d updates\n", len(c.seen), *expect)
		c.mu.Unlock()
		os.Exit(1)
	}
	secs := c.last.Sub(c.first).Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(*expect-1) / secs
	}
	emit(map[string]interface{}{"event": "done", "impl": "client-go", "transform": *transform,
		"updates": *expect, "drain_ms": secs * 1000, "events_per_s": rate, "rss_after": rssBytes()})
	close(stop)
}

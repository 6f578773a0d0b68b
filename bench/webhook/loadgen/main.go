// loadgen: the load generator of bench/webhook — POSTs a realistic AdmissionReview (a ~10 KB
// Pod, testdata/admissionreview-pod.json) to a mutating webhook over HTTPS keep-alive
// (HTTP/1.1, one TLS connection per worker) and measures latency and throughput, and the
// server's memory and CPU time from /proc/PID.
//
//	loadgen run   -url U -ca F -pid PID [-concurrency 1,16,64] [-duration 10s] [-warmup 2s] [-rate R]
//	loadgen probe -url U -ca F [-timeout 60s]     wait until the webhook injects the Pod
//	loadgen check -ca F URL1 URL2                 both webhooks' patches give the same Pod
//
// run: for each concurrency C, C workers send back to back (closed loop) for -warmup (not
// recorded) then -duration; every response must be HTTP 200, the AdmissionReview's uid,
// allowed, patchType JSONPatch and a non-empty patch, else it counts as an error. With
// -rate R (open loop) requests are scheduled at R/s and served by C workers; latency is from
// the scheduled time, so queueing when the server falls behind counts (no coordinated
// omission). One JSON line per phase on stdout: latency percentiles (ms), admissions/s,
// errors, the server's VmRSS (max sampled every 50 ms during the phase, and after it),
// VmHWM, its CPU time per admission (utime+stime from /proc/PID/stat) and the load average.
package main

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jsonpatch "github.com/evanphx/json-patch/v5"
)

type common struct {
	url, ca, body, namespace string
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.url, "url", "", "webhook URL (https://host:port/mutate-pods)")
	fs.StringVar(&c.ca, "ca", "", "CA certificate (PEM) of the webhook's serving certificate")
	fs.StringVar(&c.body, "body", "bench/webhook/testdata/admissionreview-pod.json", "AdmissionReview fixture")
	fs.StringVar(&c.namespace, "namespace", "limen-bench", "namespace written into the fixture")
}

// review is the fixture with its uid split out, so that each request gets a unique uid
// without re-encoding 10 KB.
type review struct {
	prefix, suffix []byte
}

func loadReview(path, namespace string) (review, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return review{}, err
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return review{}, fmt.Errorf("%s: %w", path, err)
	}
	compact, err := json.Marshal(v) // what the apiserver sends: compact JSON
	if err != nil {
		return review{}, err
	}
	compact = bytes.ReplaceAll(compact, []byte(`"NAMESPACE"`), []byte(strconv.Quote(namespace)))
	prefix, suffix, ok := bytes.Cut(compact, []byte(`"UID"`))
	if !ok {
		return review{}, fmt.Errorf("%s: no \"UID\" placeholder", path)
	}
	return review{prefix: prefix, suffix: suffix}, nil
}

func (r review) with(uid string) []byte {
	b := make([]byte, 0, len(r.prefix)+len(uid)+2+len(r.suffix))
	b = append(b, r.prefix...)
	b = strconv.AppendQuote(b, uid)
	return append(b, r.suffix...)
}

func (r review) size() int { return len(r.prefix) + len(r.suffix) + 38 }

// newClient: one keep-alive HTTP/1.1 connection (HTTP/2 off: limen-webhook speaks HTTP/1.1,
// and one connection per worker is what is measured).
func newClient(caFile string) (*http.Client, error) {
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no certificate", caFile)
	}
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		TLSNextProto:        map[string]func(string, *tls.Conn) http.RoundTripper{},
		MaxIdleConnsPerHost: 1,
		MaxConnsPerHost:     1,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}, nil
}

type admissionResponse struct {
	Response struct {
		UID       string `json:"uid"`
		Allowed   bool   `json:"allowed"`
		PatchType string `json:"patchType"`
		Patch     string `json:"patch"`
	} `json:"response"`
}

// post sends one AdmissionReview and checks the answer; it returns the base64 patch.
func post(c *http.Client, url string, body []byte, uid string) (string, error) {
	resp, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, data)
	}
	var ar admissionResponse
	if err := json.Unmarshal(data, &ar); err != nil {
		return "", fmt.Errorf("undecodable AdmissionReview: %w", err)
	}
	r := ar.Response
	switch {
	case r.UID != uid:
		return "", fmt.Errorf("uid %q, want %q", r.UID, uid)
	case !r.Allowed:
		return "", errors.New("not allowed")
	case r.PatchType != "JSONPatch" || len(r.Patch) < 8:
		return "", fmt.Errorf("no JSON patch (patchType %q, %d bytes)", r.PatchType, len(r.Patch))
	}
	return r.Patch, nil
}

// --- /proc ----------------------------------------------------------------------------

func statusKB(pid int, key string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, key+":"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				v, _ := strconv.ParseInt(f[0], 10, 64)
				return v
			}
		}
	}
	return -1
}

// cpuSeconds: utime+stime of the process (all threads), from /proc/PID/stat.
func cpuSeconds(pid int) float64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:]) // fields from 3 (state) on
	u, _ := strconv.ParseFloat(f[11], 64)                    // field 14
	st, _ := strconv.ParseFloat(f[12], 64)                   // field 15
	return (u + st) / 100                                    // USER_HZ is 100 on Linux
}

func loadavg() string {
	data, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// --- run ------------------------------------------------------------------------------

type phase struct {
	concurrency int
	rate        float64 // 0: closed loop
	duration    time.Duration
}

type worker struct {
	client    *http.Client
	latencies []time.Duration
	errors    int64
	firstErr  string
}

func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted)-1) * p)
	return float64(sorted[i].Microseconds()) / 1000
}

// runPhase runs one phase; record=false for the warm-up. The workers (and so their
// connections) are reused from the warm-up.
func runPhase(workers []*worker, url string, rev review, ph phase, record bool, seq *atomic.Int64) time.Duration {
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(ph.duration)
	var jobs chan time.Time
	if ph.rate > 0 {
		n := int(ph.rate*ph.duration.Seconds()) + 1
		jobs = make(chan time.Time, n)
		go func() {
			interval := time.Duration(float64(time.Second) / ph.rate)
			for i := 0; i < n; i++ {
				at := start.Add(time.Duration(i) * interval)
				if d := time.Until(at); d > 0 {
					time.Sleep(d)
				}
				jobs <- at
			}
			close(jobs)
		}()
	}
	for _, w := range workers {
		wg.Add(1)
		go func(w *worker) {
			defer wg.Done()
			for {
				var sent time.Time
				if jobs != nil {
					at, ok := <-jobs
					if !ok || time.Now().After(deadline.Add(5*time.Second)) {
						return
					}
					sent = at
				} else {
					sent = time.Now()
					if sent.After(deadline) {
						return
					}
				}
				uid := fmt.Sprintf("00000000-0000-4000-8000-%012d", seq.Add(1))
				_, err := post(w.client, url, rev.with(uid), uid)
				if !record {
					continue
				}
				if err != nil {
					w.errors++
					if w.firstErr == "" {
						w.firstErr = err.Error()
					}
					continue
				}
				w.latencies = append(w.latencies, time.Since(sent))
			}
		}(w)
	}
	wg.Wait()
	return time.Since(start)
}

func cmdRun(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	var c common
	c.register(fs)
	pid := fs.Int("pid", 0, "server process whose VmRSS/VmHWM/CPU time is sampled")
	levels := fs.String("concurrency", "1,16,64", "comma-separated worker counts")
	duration := fs.Duration("duration", 10*time.Second, "measured time per level")
	warmup := fs.Duration("warmup", 2*time.Second, "unrecorded time per level before it")
	rate := fs.Float64("rate", 0, "open loop: admissions per second (0: closed loop)")
	label := fs.String("label", "", "copied into every result line (e.g. the server's name)")
	round := fs.String("round", "", "copied into every result line")
	_ = fs.Parse(args)
	rev, err := loadReview(c.body, c.namespace)
	if err != nil {
		return err
	}
	var seq atomic.Int64
	for _, l := range strings.Split(*levels, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(l))
		if err != nil || n <= 0 {
			return fmt.Errorf("bad concurrency %q", l)
		}
		workers := make([]*worker, n)
		for i := range workers {
			cl, err := newClient(c.ca)
			if err != nil {
				return err
			}
			workers[i] = &worker{client: cl}
		}
		ph := phase{concurrency: n, rate: *rate, duration: *duration}
		warm := ph
		warm.duration = *warmup
		runPhase(workers, c.url, rev, warm, false, &seq)

		stop := make(chan struct{})
		var maxRSS atomic.Int64
		go func() { // sample the server's RSS during the phase
			t := time.NewTicker(50 * time.Millisecond)
			defer t.Stop()
			for {
				if v := statusKB(*pid, "VmRSS"); v > maxRSS.Load() {
					maxRSS.Store(v)
				}
				select {
				case <-stop:
					return
				case <-t.C:
				}
			}
		}()
		cpu0 := cpuSeconds(*pid)
		elapsed := runPhase(workers, c.url, rev, ph, true, &seq)
		cpu1 := cpuSeconds(*pid)
		close(stop)
		var all []time.Duration
		var errs int64
		firstErr := ""
		for _, w := range workers {
			all = append(all, w.latencies...)
			errs += w.errors
			if firstErr == "" {
				firstErr = w.firstErr
			}
			w.client.CloseIdleConnections()
		}
		sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
		time.Sleep(500 * time.Millisecond)
		mode := "closed"
		if *rate > 0 {
			mode = "open"
		}
		out := map[string]any{
			"label": *label, "round": *round, "mode": mode, "concurrency": n, "target_rate": *rate,
			"requests": len(all), "errors": errs, "first_error": firstErr,
			"seconds":      elapsed.Seconds(),
			"per_second":   float64(len(all)) / elapsed.Seconds(),
			"p50_ms":       percentile(all, 0.50),
			"p90_ms":       percentile(all, 0.90),
			"p99_ms":       percentile(all, 0.99),
			"p999_ms":      percentile(all, 0.999),
			"max_ms":       percentile(all, 1),
			"rss_max_kb":   maxRSS.Load(),
			"rss_after_kb": statusKB(*pid, "VmRSS"),
			"hwm_kb":       statusKB(*pid, "VmHWM"),
			"cpu_us_per_admission": func() float64 {
				if len(all) == 0 || cpu0 < 0 || cpu1 < 0 {
					return 0
				}
				return (cpu1 - cpu0) * 1e6 / float64(len(all))
			}(),
			"server_cpu_cores": (cpu1 - cpu0) / elapsed.Seconds(),
			"loadavg":          loadavg(),
			"body_bytes":       rev.size(),
		}
		line, _ := json.Marshal(out)
		fmt.Println(string(line))
	}
	return nil
}

// --- probe and check ---------------------------------------------------------------------

func cmdProbe(args []string) error {
	fs := flag.NewFlagSet("probe", flag.ExitOnError)
	var c common
	c.register(fs)
	timeout := fs.Duration("timeout", 60*time.Second, "give up after")
	_ = fs.Parse(args)
	rev, err := loadReview(c.body, c.namespace)
	if err != nil {
		return err
	}
	cl, err := newClient(c.ca)
	if err != nil {
		return err
	}
	deadline := time.Now().Add(*timeout)
	for i := 0; ; i++ {
		uid := fmt.Sprintf("probe-%d", i)
		_, err := post(cl, c.url, rev.with(uid), uid)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s never injected the Pod: %w", c.url, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// mutated applies the webhook's patch to the fixture's Pod and returns the result.
func mutated(c common, url string) (map[string]any, []byte, error) {
	rev, err := loadReview(c.body, c.namespace)
	if err != nil {
		return nil, nil, err
	}
	cl, err := newClient(c.ca)
	if err != nil {
		return nil, nil, err
	}
	body := rev.with("check")
	b64, err := post(cl, url, body, "check")
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", url, err)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, nil, err
	}
	patch, err := jsonpatch.DecodePatch(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: bad patch: %w", url, err)
	}
	var ar struct {
		Request struct {
			Object json.RawMessage `json:"object"`
		} `json:"request"`
	}
	if err := json.Unmarshal(body, &ar); err != nil {
		return nil, nil, err
	}
	out, err := patch.Apply(ar.Request.Object)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: patch does not apply: %w", url, err)
	}
	var pod map[string]any
	if err := json.Unmarshal(out, &pod); err != nil {
		return nil, nil, err
	}
	return pod, raw, nil
}

// diff lists the JSON paths where a and b differ.
func diff(path string, a, b any, out *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		keys := map[string]bool{}
		for k := range am {
			keys[k] = true
		}
		for k := range bm {
			keys[k] = true
		}
		for k := range keys {
			diff(path+"/"+k, am[k], bm[k], out)
		}
		return
	}
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok && bok && len(as) == len(bs) {
		for i := range as {
			diff(path+"/"+strconv.Itoa(i), as[i], bs[i], out)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		aj, _ := json.Marshal(a)
		bj, _ := json.Marshal(b)
		*out = append(*out, fmt.Sprintf("%s: %.300s != %.300s", path, aj, bj))
	}
}

func cmdCheck(args []string) error {
	fs := flag.NewFlagSet("check", flag.ExitOnError)
	var c common
	c.register(fs)
	_ = fs.Parse(args)
	if fs.NArg() != 2 {
		return errors.New("check needs two webhook URLs")
	}
	a, pa, err := mutated(c, fs.Arg(0))
	if err != nil {
		return err
	}
	b, pb, err := mutated(c, fs.Arg(1))
	if err != nil {
		return err
	}
	var d []string
	diff("", a, b, &d)
	sort.Strings(d)
	fmt.Printf("patch bytes: %d (%s) vs %d (%s)\n", len(pa), fs.Arg(0), len(pb), fs.Arg(1))
	if len(d) > 0 {
		return fmt.Errorf("the mutated Pods differ:\n  %s", strings.Join(d, "\n  "))
	}
	fmt.Println("the two webhooks' patches give the same Pod")
	return nil
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen run|probe|check [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "run":
		err = cmdRun(os.Args[2:])
	case "probe":
		err = cmdProbe(os.Args[2:])
	case "check":
		err = cmdCheck(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

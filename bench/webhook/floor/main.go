// floor: the webhook benchmark's floor — an HTTPS server that answers every AdmissionReview
// with a fixed one-operation patch and does no other work (no JSON decoding: the uid is
// copied from the request's bytes). bench/webhook/run drives it with the same load generator,
// connections and certificate as the two webhooks, so its latencies are what the method
// itself costs on the machine: TLS, HTTP, the load generator, and the scheduling of both on
// the same CPUs. A webhook cannot be measured below them here.
//
//	floor -port P -cert F -key F
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
)

// The patch: [{"op":"add","path":"/metadata/labels/floor","value":"1"}], base64.
const patch = "W3sib3AiOiJhZGQiLCJwYXRoIjoiL21ldGFkYXRhL2xhYmVscy9mbG9vciIsInZhbHVlIjoiMSJ9XQ=="

// The load generator's request uids start so (bench/webhook/loadgen: "run" and "probe"); the
// Pod's own uids (owner references) and userInfo's do not.
var uidKeys = [][]byte{[]byte(`"uid":"00000000-0000-4000-8000-`), []byte(`"uid":"probe-`)}

// uidOf: request.uid, found by its prefix.
func uidOf(body []byte) (string, bool) {
	for _, key := range uidKeys {
		i := bytes.Index(body, key)
		if i < 0 {
			continue
		}
		rest := body[i+len(`"uid":"`):]
		if j := bytes.IndexByte(rest, '"'); j >= 0 {
			return string(rest[:j]), true
		}
	}
	return "", false
}

func main() {
	port := flag.Int("port", 0, "port to listen on (127.0.0.1)")
	cert := flag.String("cert", "", "PEM certificate")
	key := flag.String("key", "", "PEM key")
	flag.Parse()
	http.HandleFunc("/mutate-pods", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		uid, ok := uidOf(body)
		if err != nil || !ok {
			http.Error(w, "no request uid", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",`+
			`"response":{"uid":%q,"allowed":true,"patchType":"JSONPatch","patch":%q}}`, uid, patch)
	})
	srv := &http.Server{Addr: fmt.Sprintf("127.0.0.1:%d", *port)}
	srv.SetKeepAlivesEnabled(true)
	log.Fatal(srv.ListenAndServeTLS(*cert, *key))
}

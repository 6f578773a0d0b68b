// hello: the sample Go workload of the e2e suite and scripts/demo. An HTTP server on
// $PORT (default 8080) whose handlers do what Limen's probes observe in a real service:
// each request starts a goroutine that hands its answer back over a channel (go.goroutine.*,
// go.chan.block) and the response goes out over TCP (tcp.state, tcp.send). It prints
// "listening ADDR" once its socket is bound, so a caller knows startup is over.
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync/atomic"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	var served atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		answer := make(chan string)
		go func() { answer <- "hello from " + strconv.Itoa(os.Getpid()) }()
		fmt.Fprintf(w, "%s (request %d)\n", <-answer, served.Add(1))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	fmt.Println("listening", ln.Addr())
	if err := http.Serve(ln, mux); err != nil {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
}

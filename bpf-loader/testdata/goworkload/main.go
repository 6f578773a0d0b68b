// goworkload: a Go program whose goroutine and channel activity the go.* probes must see
// exactly. It creates its runtime's background goroutines first (runtime.GC starts the GC
// workers), announces "ready", waits for a line on stdin (the probes attach meanwhile),
// then starts N goroutines that each block once on a channel, waits for all of them, and
// prints its own counts.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	n := 100
	if len(os.Args) > 1 {
		if v, err := strconv.Atoi(os.Args[1]); err == nil {
			n = v
		}
	}
	runtime.GC()
	debug.SetGCPercent(-1) // no GC cycle (and no new GC goroutines) while counting
	fmt.Println("ready")
	in := bufio.NewReader(os.Stdin)
	if _, err := in.ReadString('\n'); err != nil {
		os.Exit(1)
	}
	var created, exited atomic.Int64
	var wg sync.WaitGroup
	ch := make(chan int)
	for i := 0; i < n; i++ {
		wg.Add(1)
		created.Add(1)
		go func(i int) {
			defer wg.Done()
			defer exited.Add(1)
			ch <- i // blocks until main receives
		}(i)
	}
	for i := 0; i < n; i++ {
		time.Sleep(50 * time.Microsecond)
		<-ch
	}
	wg.Wait()
	fmt.Printf("created=%d exited=%d\n", created.Load(), exited.Load())
	// Stay alive until stdin closes, so the test reads counters of a live process.
	_, _ = in.ReadString('\n')
}

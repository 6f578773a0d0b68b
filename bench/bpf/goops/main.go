// goops MODE N: a Go workload for the uprobe benchmarks, timed inside the process.
//
//	spawn  N goroutines that exit at once, 64 at a time (go.goroutine.create / exit)
//	chan   N ping-pongs between two goroutines on unbuffered channels (go.chan.block:
//	       each one parks and readies a goroutine)
//
// With GOOPS_GATE=1 it prints "ready" and waits for a line on stdin before the timed loop,
// so the benchmark can wait until the loader has attached its uprobes to this binary.
// Prints "elapsed_ns <wall ns> cpu_ns <ns> ops <n>"; cpu_ns is the process's user + system
// time during the loop (getrusage), which leaves out time spent runnable but not running on
// a shared machine.
package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"syscall"
	"time"
)

func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: goops spawn|chan N")
		os.Exit(2)
	}
	n, _ := strconv.Atoi(os.Args[2])
	runtime.GOMAXPROCS(1) // no idle-P spinning; the cost is the program's own
	if os.Getenv("GOOPS_GATE") == "1" {
		fmt.Println("ready")
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			os.Exit(1)
		}
	}
	var t0 time.Time
	var c0 int64
	switch os.Args[1] {
	case "spawn":
		var wg sync.WaitGroup
		c0 = cpuNanos()
		t0 = time.Now()
		for i := 0; i < n; i += 64 {
			for j := 0; j < 64 && i+j < n; j++ {
				wg.Add(1)
				go wg.Done()
			}
			wg.Wait()
		}
	case "chan":
		ping, pong := make(chan int), make(chan int)
		go func() {
			for v := range ping {
				pong <- v
			}
		}()
		c0 = cpuNanos()
		t0 = time.Now()
		for i := 0; i < n; i++ {
			ping <- i
			<-pong
		}
	default:
		fmt.Fprintln(os.Stderr, "goops: unknown mode", os.Args[1])
		os.Exit(2)
	}
	elapsed := time.Since(t0).Nanoseconds()
	fmt.Printf("elapsed_ns %d cpu_ns %d ops %d\n", elapsed, cpuNanos()-c0, n)
}

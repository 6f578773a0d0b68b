// A WASI reactor built from Go (GOOS=wasip1 GOARCH=wasm, -buildmode=c-shared): the host
// calls _initialize once, then the exported functions. It stands in for a tenant's WASI
// filter in Limen's validation tests: it imports only wasi_snapshot_preview1 and exports
// _initialize, memory and two functions.
package main

var requests int32

// OnRequest counts a request and returns the running total.
//
//go:wasmexport on_request
func OnRequest() int32 {
	requests++
	return requests
}

// Ratio returns numerator*100/denominator, or -1 when the denominator is zero.
//
//go:wasmexport ratio_percent
func RatioPercent(numerator, denominator int32) int32 {
	if denominator == 0 {
		return -1
	}
	return numerator * 100 / denominator
}

func main() {}

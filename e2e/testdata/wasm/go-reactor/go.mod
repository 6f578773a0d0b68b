module limen.dev/e2e/testdata/wasm/goreactor

go 1.26

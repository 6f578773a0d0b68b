module limen.dev/bench/webhook/loadgen

go 1.26.0

require github.com/evanphx/json-patch/v5 v5.9.11

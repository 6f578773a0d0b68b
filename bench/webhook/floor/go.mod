module limen.dev/bench/webhook/floor

go 1.21

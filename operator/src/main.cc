// limen-operator: the Limen operator (operator/README.md), and its offline subcommand
// `limen-operator wasm validate FILE ...` (lib/wasm's validation command).
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "app/app.h"
#include "config/config.h"
#include "limen/kube/http_client.h"
#include "limen/wasm/validate_command.h"

int main(int argc, char** argv) {
  // Benchmark hook (bench/operator, "exec→main"): print CLOCK_MONOTONIC in ns at the first
  // statement of main and exit, so a driver can time exec, loading and static initializers.
  // NOLINTNEXTLINE(concurrency-mt-unsafe): no other thread exists yet
  if (std::getenv("LIMEN_BENCH_EXIT_AT_MAIN") != nullptr) {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    std::printf("%lld\n", static_cast<long long>(now.tv_sec) * 1000000000LL + now.tv_nsec);
    return 0;
  }
  // Two malloc arenas instead of glibc's 8 per core: the informer, worker and connection
  // threads each keep the high-water mark of every arena they touch resident (≈ −140 MB
  // after a reconcile storm at 10,000 Pods, docs/benchmarks.md).
  mallopt(M_ARENA_MAX, 2);  // NOLINT(concurrency-mt-unsafe): no other thread exists yet
  limen::kube::TakeOverSystemTrustStore();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "wasm") {
    if (args.size() < 2 || args[1] != "validate") {
      std::cerr << "usage: limen-operator wasm validate FILE [--abi wasi|proxy-wasm] "
                   "[--sha256 HEX] [--max-size BYTES] [--json]\n";
      return 2;
    }
    return limen::wasm::RunValidateCommand({args.begin() + 2, args.end()}, std::cout, std::cerr);
  }
  auto config = limen::op::LoadOperatorConfig(args);
  if (!config.ok()) {
    std::cerr << "limen-operator: " << config.status().message() << "\n\n" << limen::op::Usage();
    return 2;
  }
  if (std::find(args.begin(), args.end(), "--help") != args.end() ||
      std::find(args.begin(), args.end(), "-h") != args.end()) {
    std::cout << limen::op::Usage();
    return 0;
  }
  // Block the shutdown signals in every thread (they inherit the mask); the operator's
  // signal thread receives them with sigwait.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return limen::op::RunOperator(*config);
}

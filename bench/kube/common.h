// Helpers shared by the benchmark's programs: flags, the client, resident memory, results.
//
// Results are one JSON object per line on stdout, the format bench/kube/run.sh collects
// (the client-go peer prints the same keys).
#pragma once

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "limen/base/status.h"
#include "limen/kube/http_client.h"

namespace limen::bench {

// --key=value flags → map; anything else is an error naming the argument.
StatusOr<std::map<std::string, std::string>> ParseFlags(int argc, char** argv, int first);
std::string FlagOr(const std::map<std::string, std::string>& flags, const std::string& key,
                   const std::string& fallback);

// An HttpClient from the kubeconfig at `path`; `rate_limited` false turns off the
// client-side QPS limit (the writers run as fast as the apiserver lets them).
StatusOr<std::unique_ptr<kube::HttpClient>> MakeClient(const std::string& path, bool rate_limited);

// VmRSS of this process in bytes (-1 if /proc is unreadable).
long long RssBytes();

// Prints `j` as one line on stdout and flushes.
void Emit(const nlohmann::json& j);

}  // namespace limen::bench

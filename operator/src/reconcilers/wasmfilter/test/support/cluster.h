// Helpers for the reconcilers' integration tests on the fixture control plane (the ctest
// `cluster` fixture; LIMEN_CLUSTER_DIR): a kube::HttpClient from its kubeconfig, the CRDs of
// crds/ applied in-process, a namespace of the test's own, polling, and module ConfigMaps
// (binaryData).
//
// Thread-safety: free functions; the returned client is thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "limen/base/status.h"
#include "limen/kube/event_recorder.h"
#include "limen/kube/http_client.h"
#include "limen/kube/informer.h"

namespace limen::reconcilers::testing {

// A client on the fixture cluster, loaded from $LIMEN_CLUSTER_DIR/kubeconfig.
StatusOr<std::unique_ptr<kube::HttpClient>> ConnectToFixtureCluster();

// Server-side applies every CRD in crds/ (force, one field manager, so tests running at the
// same time do not conflict) and waits until each is Established and its resource is served.
Status ApplyCrds(kube::Client& client, std::chrono::seconds timeout = std::chrono::seconds(60));

// Creates "<prefix>-<random hex>" and returns its name.
StatusOr<std::string> CreateTestNamespace(kube::Client& client, std::string_view prefix);
// Deletes it without waiting (cleanup at the end of a test).
void DeleteTestNamespace(kube::Client& client, const std::string& name);

// Calls `done` every `interval` until it returns true (→ true) or `timeout` passes (→ false).
bool Eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(100));

// Creates ConfigMap ns/name holding `bytes` at binaryData[key], or replaces the binaryData
// of an existing one (a WasmFilter module source).
Status PutBinaryConfigMap(kube::Client& client, const std::string& ns, const std::string& name,
                          const std::string& key, std::string_view bytes);

// Informer options for one namespace, and recorder options for a test's controller.
kube::InformerOptions InNamespace(const std::string& ns);
kube::EventRecorderOptions RecorderOptions(const std::string& instance);

// The whole file, or an error naming it.
StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace limen::reconcilers::testing

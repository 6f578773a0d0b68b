// InformerPolicySource: the PolicySource of the running webhook — three lib/kube informers
// (Namespaces, ResiliencePolicies, WasmFilters; managedFields dropped) whose stores the
// admission path reads. No apiserver call ever happens while a request is being admitted.
//
// Thread-safety: reads are safe from any thread (Store's shared lock); Run/Stop from one.
#pragma once

#include <chrono>
#include <memory>

#include "limen/kube/client.h"
#include "limen/kube/informer.h"
#include "limen/webhook/admission.h"

namespace limen::webhook {

inline const kube::Resource kResiliencePolicies{"limen.dev", "v1alpha1", "resiliencepolicies",
                                                "ResiliencePolicy", true};
inline const kube::Resource kWasmFilters{"limen.dev", "v1alpha1", "wasmfilters", "WasmFilter",
                                         true};

class InformerPolicySource final : public PolicySource {
 public:
  explicit InformerPolicySource(kube::Client& client);
  ~InformerPolicySource() override;

  void Run();
  void Stop();
  bool HasSynced() const;

  std::optional<std::map<std::string, std::string>> NamespaceLabels(
      const std::string& ns) const override;
  std::vector<api::ResiliencePolicy> ResiliencePolicies(const std::string& ns) const override;
  std::vector<api::WasmFilter> WasmFilters(const std::string& ns) const override;

 private:
  template <class T>
  class DecodeMemo;  // informer_source.cc

  std::unique_ptr<kube::Informer> namespaces_;
  std::unique_ptr<kube::Informer> policies_;
  std::unique_ptr<kube::Informer> filters_;
  std::unique_ptr<DecodeMemo<api::ResiliencePolicy>> policy_memo_;
  std::unique_ptr<DecodeMemo<api::WasmFilter>> filter_memo_;
};

}  // namespace limen::webhook

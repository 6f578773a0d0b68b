#include "limen/webhook/cert_manager.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "limen/api/well_known.h"
#include "limen/kube/base64.h"
#include "limen/webhook/admission.h"
#include "limen/webhook/cert_reloader.h"

namespace limen::webhook {
namespace {

constexpr int kMaxConflictRetries = 5;

double UnixSeconds(TimePoint t) {
  return static_cast<double>(
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

std::string_view EventReason(CertStep step, bool existed) {
  switch (step) {
    case CertStep::kBootstrap:
      return existed ? "CertificatesRegenerated" : "CertificatesBootstrapped";
    case CertStep::kIssueServing: return "ServingCertificateIssued";
    case CertStep::kStartCaRotation: return "CARotationStarted";
    case CertStep::kSwitchCa: return "CASwitched";
    case CertStep::kRetirePreviousCa: return "PreviousCARetired";
    case CertStep::kDiscardNextCa: return "PendingCADiscarded";
  }
  return "CertificateChanged";
}

// Secret.data decoded; a value that is not base64 is kept as "" so that the plan reports
// the key as missing (and regenerates) instead of failing the pass.
SecretData DecodeData(const kube::Object& secret, std::vector<std::string>& bad_keys) {
  SecretData out;
  const auto it = secret.find("data");
  if (it == secret.end() || !it->is_object()) return out;
  for (const auto& [key, value] : it->items()) {
    std::optional<std::string> decoded;
    if (value.is_string()) decoded = kube::Base64Decode(value.get<std::string>());
    if (!decoded) bad_keys.push_back(key);
    out[key] = decoded.value_or("");
  }
  return out;
}

kube::Object EncodeData(const SecretData& data) {
  kube::Object out = kube::Object::object();
  for (const auto& [key, value] : data) out[key] = kube::Base64Encode(value);
  return out;
}

// The caBundle of entry `w`, decoded ("" when absent or not base64).
std::string EntryBundle(const kube::Object& w) {
  const auto cc = w.find("clientConfig");
  if (cc == w.end() || !cc->is_object()) return "";
  const auto b = cc->find("caBundle");
  if (b == cc->end() || !b->is_string()) return "";
  return kube::Base64Decode(b->get<std::string>()).value_or("");
}

const kube::Object* Webhooks(const kube::Object& config) {
  const auto it = config.find("webhooks");
  return it != config.end() && it->is_array() ? &*it : nullptr;
}

}  // namespace

CertManager::CertManager(kube::Client& client, Options options, AdmissionMetrics* metrics,
                         kube::EventRecorder* events, kube::Clock& clock)
    : client_(client),
      options_(std::move(options)),
      metrics_(metrics),
      events_(events),
      clock_(clock) {}

CertManager::~CertManager() { Stop(); }

void CertManager::Error(std::string_view stage) {
  if (metrics_) metrics_->CountCertManagerError(stage);
}

Status CertManager::ReadConfigs(std::vector<ConfigView>& out) {
  out.clear();
  const std::array<std::pair<const kube::Resource*, const std::string*>, 2> named = {{
      {&resources::kMutatingWebhookConfigurations, &options_.mutating_webhook_configuration},
      {&resources::kValidatingWebhookConfigurations, &options_.validating_webhook_configuration},
  }};
  for (const auto& [resource, name] : named) {
    if (name->empty()) continue;
    ConfigView view{resource, *name, std::nullopt};
    auto got = client_.Get(*resource, "", *name);
    if (got.ok()) {
      view.object = std::move(got).value();
    } else if (!got.error().IsNotFound()) {
      Error("bundle_read");
      return got.error().ToStatus().WithContext(resource->kind + " " + *name);
    } else {
      const std::string key = resource->kind + "/" + *name;
      if (std::find(missing_configs_logged_.begin(), missing_configs_logged_.end(), key) ==
          missing_configs_logged_.end()) {
        missing_configs_logged_.push_back(key);
        spdlog::warn("{} {} does not exist (yet): its caBundle will be set once it does",
                     resource->kind, *name);
      }
    }
    out.push_back(std::move(view));
  }
  return Status::Ok();
}

bool CertManager::BundleCurrent(const std::vector<ConfigView>& configs,
                                const std::string& bundle) const {
  for (const auto& c : configs) {
    if (!c.object) continue;
    if (const kube::Object* hooks = Webhooks(*c.object)) {
      for (const auto& w : *hooks) {
        if (EntryBundle(w) != bundle) return false;
      }
    }
  }
  return true;
}

Status CertManager::PatchBundles(const std::vector<ConfigView>& configs,
                                 const std::string& bundle) {
  const std::string encoded = kube::Base64Encode(bundle);
  Status result;
  for (const auto& c : configs) {
    if (!c.object) continue;
    const kube::Object* hooks = Webhooks(*c.object);
    if (hooks == nullptr) continue;
    kube::Object ops = kube::Object::array();
    for (size_t i = 0; i < hooks->size(); ++i) {
      const kube::Object& w = (*hooks)[i];
      if (EntryBundle(w) == bundle) continue;
      const std::string base = "/webhooks/" + std::to_string(i);
      ops.push_back({{"op", "test"}, {"path", base + "/name"}, {"value", w.value("name", "")}});
      // The whole clientConfig as read: also catches a caBundle set where there was none.
      const auto cc = w.find("clientConfig");
      ops.push_back({{"op", "test"},
                     {"path", base + "/clientConfig"},
                     {"value", cc != w.end() ? *cc : kube::Object::object()}});
      ops.push_back({{"op", "add"}, {"path", base + "/clientConfig/caBundle"}, {"value", encoded}});
    }
    if (ops.empty()) continue;
    auto patched = client_.Patch(*c.resource, "", c.name, kube::PatchType::kJsonPatch, ops);
    if (!patched.ok()) {
      Error("bundle_patch");
      // 422: a `test` failed — the configuration changed since it was read; the next pass
      // re-reads it.
      result =
          patched.error().ToStatus().WithContext("caBundle of " + c.resource->kind + " " + c.name);
      continue;
    }
    if (metrics_) metrics_->CountBundlePatch();
    spdlog::info("caBundle of {} {} updated ({} webhook entries, {} bytes)", c.resource->kind,
                 c.name, ops.size() / 3, bundle.size());
  }
  return result;
}

void CertManager::ObservePublished(bool published, const std::string& bundle, TimePoint now) {
  if (!published) {
    published_bundle_.clear();
    published_since_.reset();
  } else if (published_bundle_ != bundle || !published_since_) {
    published_bundle_ = bundle;
    published_since_ = now;
  }
}

Status CertManager::WriteFiles(const SecretData& data) {
  const auto cert = data.find(kSecretTlsCert);
  const auto key = data.find(kSecretTlsKey);
  if (cert == data.end() || key == data.end()) return Status::Ok();
  if (cert->second == written_cert_ && key->second == written_key_) return Status::Ok();
  // Key first: CertReloader only publishes a matching pair, so a reader between the two
  // renames keeps the previous pair.
  Status s = WriteFileAtomically(options_.key_file, key->second);
  if (s.ok()) s = WriteFileAtomically(options_.cert_file, cert->second);
  if (!s.ok()) {
    Error("file_write");
    return s;
  }
  written_cert_ = cert->second;
  written_key_ = key->second;
  if (options_.on_files_written) options_.on_files_written();
  has_certificate_ = true;
  return Status::Ok();
}

void CertManager::Report(const CertDecision& decision, const SecretView& before,
                         const kube::Object& secret) {
  const kube::ObjectReference ref = kube::ReferenceTo(secret);
  if (!before.problems.empty()) {
    std::string all;
    for (const auto& p : before.problems) all += (all.empty() ? "" : "; ") + p;
    spdlog::warn("certificate Secret {}/{} had unusable data, repaired: {}",
                 options_.secret_namespace, options_.secret_name, all);
    if (events_ && before.exists) {
      events_->Event(ref, kube::EventType::kWarning, "InvalidCertificateData", "Repair", all);
    }
  }
  for (const CertAction& a : decision.actions) {
    const std::string_view step = StepName(a.step);
    if (metrics_) metrics_->CountRotation(step);
    spdlog::info("certificate Secret {}/{}: {} — {}", options_.secret_namespace,
                 options_.secret_name, step, a.reason);
    if (events_) {
      events_->Event(
          ref,
          a.step == CertStep::kDiscardNextCa ? kube::EventType::kWarning : kube::EventType::kNormal,
          std::string(EventReason(a.step, before.exists)), std::string(step), a.reason);
    }
  }
}

StatusOr<TimePoint> CertManager::SyncOnce() {
  for (int attempt = 0; attempt < kMaxConflictRetries; ++attempt) {
    std::vector<ConfigView> configs;
    LIMEN_RETURN_IF_ERROR(ReadConfigs(configs));

    auto got =
        client_.Get(kube::resources::kSecrets, options_.secret_namespace, options_.secret_name);
    std::optional<kube::Object> secret;
    if (got.ok()) {
      secret = std::move(got).value();
    } else if (!got.error().IsNotFound()) {
      Error("secret_read");
      return got.error().ToStatus().WithContext("Secret " + options_.secret_namespace + "/" +
                                                options_.secret_name);
    }
    std::vector<std::string> bad_keys;
    SecretData data = secret ? DecodeData(*secret, bad_keys) : SecretData{};
    SecretView view = InspectSecret(secret ? &data : nullptr);
    for (const auto& k : bad_keys) view.problems.push_back(k + ": not base64");

    const TimePoint now = clock_.Now();
    ObservePublished(BundleCurrent(configs, DesiredBundle(view)), DesiredBundle(view), now);
    const CertDecision decision = Decide(view, now, options_.policy, published_since_);
    if (!decision.waiting.empty()) spdlog::debug("certificates: {}", decision.waiting);

    if (!decision.actions.empty()) {
      auto next = ApplyDecision(data, decision, now, options_.policy);
      if (!next.ok()) {
        Error("generate");
        return next.status();
      }
      kube::Object obj;
      if (secret) {
        obj = *secret;  // keeps metadata.resourceVersion: the optimistic-concurrency check
      } else {
        obj = {{"apiVersion", "v1"},
               {"kind", "Secret"},
               {"type", "kubernetes.io/tls"},
               {"metadata",
                {{"name", options_.secret_name},
                 {"namespace", options_.secret_namespace},
                 {"labels",
                  {{std::string(api::kLabelManagedBy), std::string(api::kManagedByLimen)},
                   {"app.kubernetes.io/component", "webhook-certificates"}}}}}};
      }
      obj["data"] = EncodeData(*next);
      auto written =
          secret ? client_.Update(kube::resources::kSecrets, options_.secret_namespace, obj)
                 : client_.Create(kube::resources::kSecrets, options_.secret_namespace, obj);
      if (!written.ok()) {
        if (written.error().IsConflict() || written.error().IsAlreadyExists()) {
          // Another replica wrote first: re-read and adopt its certificates.
          if (metrics_) metrics_->CountSecretConflict();
          spdlog::info("certificate Secret {}/{} changed by another replica ({}); re-reading",
                       options_.secret_namespace, options_.secret_name, written.error().ToString());
          continue;
        }
        Error("secret_write");
        return written.error().ToStatus().WithContext(
            "writing Secret " + options_.secret_namespace + "/" + options_.secret_name);
      }
      Report(decision, view, *written);
      data = std::move(next).value();
      view = InspectSecret(&data);
    }

    LIMEN_RETURN_IF_ERROR(WriteFiles(data));
    const std::string bundle = DesiredBundle(view);
    if (metrics_) {
      if (view.active) metrics_->SetCaExpiry(UnixSeconds(view.active->not_after));
      metrics_->SetBundleSize(static_cast<int>(view.active.has_value()) +
                              static_cast<int>(view.next.has_value()) +
                              static_cast<int>(view.previous.has_value()));
    }
    const bool current = BundleCurrent(configs, bundle);
    if (!current) {
      Status patched = PatchBundles(configs, bundle);
      ObservePublished(patched.ok(), bundle, clock_.Now());
      if (!patched.ok()) return patched;
    } else {
      ObservePublished(true, bundle, now);
    }

    // When the next step is due, given the state just written and published.
    const CertDecision after = Decide(view, clock_.Now(), options_.policy, published_since_);
    TimePoint next = after.actions.empty() ? after.next_check : clock_.Now();
    return std::min(
        next, clock_.Now() + std::chrono::duration_cast<TimePoint::duration>(options_.resync));
  }
  return Status::Conflict("certificate Secret " + options_.secret_namespace + "/" +
                          options_.secret_name + ": lost " + std::to_string(kMaxConflictRetries) +
                          " write races in a row");
}

Status CertManager::Bootstrap(std::chrono::milliseconds timeout,
                              const std::function<bool()>& stop) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::chrono::milliseconds backoff = options_.retry_min;
  Status last = Status::Unavailable("no pass ran");
  while (!HasCertificate()) {
    auto r = SyncOnce();
    if (HasCertificate()) break;
    last = r.ok() ? Status::Unavailable("the Secret holds no serving certificate yet") : r.status();
    spdlog::warn("certificate bootstrap: {} (retrying in {} ms)", last.message(), backoff.count());
    if (stop() || std::chrono::steady_clock::now() + backoff > deadline) return last;
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, options_.retry_max);
  }
  return Status::Ok();
}

void CertManager::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void CertManager::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CertManager::Loop() {
  std::chrono::milliseconds backoff = options_.retry_min;
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    lock.unlock();
    auto next = SyncOnce();
    std::chrono::milliseconds wait;
    if (next.ok()) {
      backoff = options_.retry_min;
      wait = std::chrono::duration_cast<std::chrono::milliseconds>(*next - clock_.Now());
      // A due time in the past (or now) runs again promptly, but never in a busy loop.
      wait = std::clamp(wait, std::chrono::milliseconds(50),
                        std::max(options_.resync, std::chrono::milliseconds(50)));
    } else {
      spdlog::warn("certificate manager: {} (retrying in {} ms)", next.status().message(),
                   backoff.count());
      wait = backoff;
      backoff = std::min(backoff * 2, options_.retry_max);
    }
    lock.lock();
    cv_.wait_for(lock, wait, [this] { return stop_; });
  }
}

}  // namespace limen::webhook

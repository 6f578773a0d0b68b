#include "limen/webhook/cert_reloader.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace limen::webhook {
namespace {

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path + ": " + std::strerror(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

Status WriteFileAtomically(const std::string& path, const std::string& data) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Status::Unavailable("open " + tmp + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string err = std::strerror(errno);
      ::close(fd);
      return Status::Unavailable("write " + tmp + ": " + err);
    }
    off += static_cast<size_t>(n);
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::Unavailable("rename " + tmp + " → " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

CertReloader::CertReloader(Options options, AdmissionMetrics* metrics)
    : options_(std::move(options)), metrics_(metrics) {}

CertReloader::~CertReloader() { Stop(); }

Status CertReloader::Reload() {
  auto cert = ReadFile(options_.cert_file);
  auto key = ReadFile(options_.key_file);
  Status status = !cert.ok() ? cert.status() : key.status();
  std::string combined;
  std::optional<CertInfo> info;
  if (status.ok()) {
    combined = *cert + (cert->empty() || cert->back() == '\n' ? "" : "\n") + *key;
    std::lock_guard<std::mutex> lock(mu_);
    if (combined == published_) return Status::Ok();  // unchanged
  }
  if (status.ok()) status = CheckKeyPair(*cert, *key);
  if (status.ok()) {
    auto inspected = InspectCertificate(*cert);
    if (inspected.ok()) {
      info = *inspected;
    } else {
      status = inspected.status();
    }
  }
  if (status.ok()) status = WriteFileAtomically(options_.served_file, combined);
  if (!status.ok()) {
    // Often transient: a rotator between writing the cert and the key. The old pair stays.
    spdlog::warn("serving certificate not (re)loaded, keeping the previous one: {}",
                 status.message());
    if (metrics_) metrics_->CountCertificateReload(false);
    return status;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    published_ = std::move(combined);
    current_ = info;
  }
  loaded_ = true;
  const auto not_after = std::chrono::system_clock::to_time_t(info->not_after);
  spdlog::info("serving certificate loaded: subject {}, expires {}", info->subject,
               static_cast<long long>(not_after));
  if (metrics_) {
    metrics_->CountCertificateReload(true);
    metrics_->SetCertificateExpiry(static_cast<double>(not_after));
  }
  return Status::Ok();
}

std::optional<CertInfo> CertReloader::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void CertReloader::Start() {
  if (thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void CertReloader::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CertReloader::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, options_.interval, [this] { return stop_; });
    if (stop_) break;
    lock.unlock();
    (void)Reload();  // logged and counted inside
    lock.lock();
  }
}

}  // namespace limen::webhook

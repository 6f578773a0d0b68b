// OperatorProcess: the real limen-operator binary ($LIMEN_OPERATOR_BIN) as a child process
// of an integration test, with its output in a file and a port of its own.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace limen::op::testing {

class OperatorProcess {
 public:
  // Writes `config_yaml` to DIR/<name>.yaml and starts the binary with --config and `flags`.
  OperatorProcess(const std::string& dir, const std::string& name, const std::string& config_yaml,
                  std::vector<std::string> flags);
  ~OperatorProcess();  // SIGKILLs it if still running

  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  const std::string& log_file() const { return log_; }
  std::string Log() const;
  // GET path on its metrics port: {status, body}; status 0 when unreachable.
  std::pair<int, std::string> Get(const std::string& path) const;
  bool WaitReady(std::chrono::seconds timeout) const;
  void Signal(int sig);
  // Waits for exit; returns the exit code (or 128 + signal), -1 on timeout.
  int Wait(std::chrono::seconds timeout);

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::string log_;
};

// A free loopback TCP port (bound and released; racy but fine for tests).
int FreePort();

}  // namespace limen::op::testing

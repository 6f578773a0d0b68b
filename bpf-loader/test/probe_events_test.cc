#include "limen/bpf/probe_events.h"

#include <gtest/gtest.h>

namespace limen::bpf {
namespace {

ProbeStatus P(Probe probe, ProbeState state, std::string error = "", std::string variant = "") {
  ProbeStatus p;
  p.probe = probe;
  p.state = state;
  p.error = std::move(error);
  p.variant = std::move(variant);
  return p;
}

TEST(ProbeTransitions, FirstReportAnnouncesEveryProbeThatIsNotPending) {
  auto events = ProbeTransitions(
      {}, {P(Probe::kTcpSend, ProbeState::kAttached, "", "raw_tp"),
           P(Probe::kTcpRetransmit, ProbeState::kFailed, "attach raw_tp: Operation not permitted"),
           P(Probe::kGoGoroutineCreate, ProbeState::kPending, "no Go binary yet"),
           P(Probe::kProcessExec, ProbeState::kUnsupported, "no raw_tp and no tracefs")});
  EXPECT_EQ(events, (std::vector<ProbeEvent>{
                        {false, "ProbeAttached", "tcp.send attached (raw_tp)"},
                        {true, "ProbeFailed",
                         "tcp.retransmit failed to attach: attach raw_tp: Operation not permitted"},
                        {true, "ProbeUnsupported",
                         "process.exec is not supported on this node: no raw_tp and no tracefs"},
                    }));
}

TEST(ProbeTransitions, UnchangedStatesGiveNothingEvenWhenTheErrorTextChanges) {
  std::vector<ProbeStatus> before = {P(Probe::kTcpSend, ProbeState::kAttached, "", "raw_tp"),
                                     P(Probe::kTcpState, ProbeState::kFailed, "EPERM")};
  std::vector<ProbeStatus> after = {P(Probe::kTcpSend, ProbeState::kAttached, "", "raw_tp"),
                                    P(Probe::kTcpState, ProbeState::kFailed, "EBUSY")};
  EXPECT_TRUE(ProbeTransitions(before, after).empty());
}

TEST(ProbeTransitions, RecoveryDetachAndRemoval) {
  std::vector<ProbeStatus> before = {
      P(Probe::kTcpState, ProbeState::kFailed, "EPERM"),
      P(Probe::kGoGoroutineExit, ProbeState::kAttached, "", "uprobe"),
      P(Probe::kTcpSend, ProbeState::kAttached, "", "raw_tp")};
  std::vector<ProbeStatus> after = {
      P(Probe::kTcpState, ProbeState::kAttached, "", "tracepoint"),
      P(Probe::kGoGoroutineExit, ProbeState::kPending, "no Go binary on this node")};
  EXPECT_EQ(ProbeTransitions(before, after),
            (std::vector<ProbeEvent>{
                {false, "ProbeAttached", "tcp.state attached (tracepoint)"},
                {false, "ProbeDetached", "go.goroutine.exit detached: no Go binary on this node"},
                {false, "ProbeDetached", "tcp.send detached: no policy selects it any more"},
            }));
}

TEST(ProbeTransitions, GoProbesNameTheirBinaries) {
  ProbeStatus p = P(Probe::kGoGoroutineCreate, ProbeState::kAttached, "", "uprobe");
  p.binaries = 2;
  auto events = ProbeTransitions({}, {p});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].note, "go.goroutine.create attached (uprobe) to 2 Go binaries");
}

}  // namespace
}  // namespace limen::bpf

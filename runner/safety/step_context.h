#pragma once
// Running a fault's commands safely. A step's process group is journaled BEFORE the
// step runs (the child waits at a gate until the journal line is synced), so if the
// runner is SIGKILLed mid-step, `faultline recover` stops the step before it rolls the
// fault back: an inject can never finish after recover has undone it. What each step
// did is kept for the drill record, redacted and shortened.
#include <functional>
#include <string>
#include <vector>

#include "runner/core/fault.h"
#include "runner/os/journal.h"

namespace faultline {

struct StepRecord {
  std::string step;     // "inject", "rollback"
  std::string command;  // quoted, redacted
  double started_ms = 0;
  double ended_ms = 0;
  std::string outcome;  // "exited 0", "timed out after 30s", "was cancelled", "cannot start ..."
  int exit_code = -1;
  std::string out;  // stdout, redacted, at most kStepOutputBytes
  std::string err;  // stderr, likewise
};

constexpr size_t kStepOutputBytes = 4096;

class StepContext : public ActionContext {
 public:
  // `key` names the action the steps belong to ("fault/crash"); `cancelled` says when a
  // step should be cut short (a stop request during an inject; never for a rollback);
  // `now_ms` stamps steps on the drill's time base. `journal` may be null (tests);
  // `proxies` is the drill's own proxies, null outside a running drill (recover).
  StepContext(Target& target, Journal* journal, std::string key, std::function<bool()> cancelled,
              std::function<double()> now_ms, ToxicApi* proxies = nullptr);

  Target& target() override { return target_; }
  ToxicApi* drill_proxies() override { return proxies_; }
  Result<ExecResult> run_step(const std::string& step, const Command& command,
                              Millis timeout) override;
  Result<ProcessId> start_step(const std::string& step, const Command& command) override;
  // <home>/work/<drill id>, from the journal's place (<home>/journal/<drill id>.jsonl).
  std::string work_dir() const override;
  const std::vector<StepRecord>& steps() const { return steps_; }

 private:
  Target& target_;
  Journal* journal_;
  std::string key_;
  std::function<bool()> cancelled_;
  std::function<double()> now_ms_;
  ToxicApi* proxies_;
  std::vector<StepRecord> steps_;

  // Journals the group `leader` leads as step `step_key` of this action.
  Status journal_group(const std::string& step_key, const std::string& step,
                       const ProcessId& leader);
};

}  // namespace faultline

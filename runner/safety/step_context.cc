#include "runner/safety/step_context.h"

#include <signal.h>

#include <filesystem>

#include "runner/core/secrets.h"
#include "runner/safety/stop_process_group.h"

namespace faultline {

StepContext::StepContext(Target& target, Journal* journal, std::string key,
                         std::function<bool()> cancelled, std::function<double()> now_ms,
                         ToxicApi* proxies)
    : target_(target),
      journal_(journal),
      key_(std::move(key)),
      cancelled_(std::move(cancelled)),
      now_ms_(std::move(now_ms)),
      proxies_(proxies) {}

Result<ExecResult> StepContext::run_step(const std::string& step, const Command& command,
                                         Millis timeout) {
  StepRecord record;
  record.step = step;
  record.command = redacted_excerpt(quote_command(command.argv), 1000);
  record.started_ms = now_ms_();
  std::string step_key = key_ + "/" + step + "-" + std::to_string(steps_.size() + 1);
  bool journaled = false;
  RunControl control;
  control.cancelled = cancelled_;
  if (journal_ != nullptr) {
    control.before_exec = [&](const ProcessId& leader) -> Status {
      if (Status written = journal_group(step_key, step, leader); !written) return written;
      journaled = true;
      return {};
    };
  }
  auto result = target_.run(command, timeout, control);
  record.ended_ms = now_ms_();
  if (journaled) (void)journal_->record_done(step_key, JournalOutcome::undone, "step finished");
  if (result.ok()) {
    record.outcome = result->how_it_ended(timeout);
    record.exit_code = result->exit_code;
    record.out = redacted_excerpt(result->out, kStepOutputBytes);
    record.err = redacted_excerpt(result->err, kStepOutputBytes);
  } else {
    record.outcome = redacted_excerpt(result.error().message, 1000);
  }
  steps_.push_back(std::move(record));
  return result;
}

Status StepContext::journal_group(const std::string& step_key, const std::string& step,
                                  const ProcessId& leader) {
  JournalAction action{step_key,
                       kStopProcessGroup,
                       target_.name(),
                       step + " step of " + key_ + " (pid " + std::to_string(leader.pid) + ")",
                       stop_process_group_spec(leader, SIGKILL, Millis(0)),
                       ""};
  return journal_->record_intent(action);
}

Result<ProcessId> StepContext::start_step(const std::string& step, const Command& command) {
  StepRecord record;
  record.step = step;
  record.command = redacted_excerpt(quote_command(command.argv), 1000);
  record.started_ms = now_ms_();
  std::string step_key = key_ + "/" + step + "-" + std::to_string(steps_.size() + 1);
  RunControl control;
  if (journal_ != nullptr) {
    // Left pending: the process runs on after this returns, and recover must stop it.
    control.before_exec = [&](const ProcessId& leader) {
      return journal_group(step_key, step, leader);
    };
  }
  auto started = target_.start(command, control);
  record.ended_ms = now_ms_();
  record.outcome = started.ok() ? "started pid " + std::to_string(started->pid)
                                : redacted_excerpt(started.error().message, 1000);
  steps_.push_back(std::move(record));
  return started;
}

std::string StepContext::work_dir() const {
  if (journal_ == nullptr) return "";
  std::filesystem::path journal(journal_->path());
  return (journal.parent_path().parent_path() / "work" / journal_->drill_id()).string();
}

}  // namespace faultline

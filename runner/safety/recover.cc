#include "runner/safety/recover.h"

#include <fmt/format.h>

#include "reports/reports.h"
#include "runner/core/json_reader.h"
#include "runner/core/secrets.h"
#include "runner/os/journal.h"
#include "runner/safety/interrupted_record.h"
#include "runner/safety/step_context.h"
#include "runner/safety/stop_process_group.h"

namespace faultline {
namespace {

bool is_step(const JournalAction& action) {
  return action.type == kStopProcessGroup && action.key.rfind("fault/", 0) == 0;
}
bool is_fault(const JournalAction& action) { return action.type != kStopProcessGroup; }

// Steps a fault left running are stopped first (an inject must not finish after its
// rollback), then the faults, last injected first, then the services they ran against.
std::vector<JournalAction> recovery_order(const std::vector<JournalAction>& pending) {
  std::vector<JournalAction> ordered;
  for (auto want : {&is_step, &is_fault}) {
    for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
      if ((*want)(*it)) ordered.push_back(*it);
    }
  }
  for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
    if (!is_step(*it) && !is_fault(*it)) ordered.push_back(*it);
  }
  return ordered;
}

Result<Undo> undo(const JournalAction& action, const Registry& registry, Target& target,
                  Journal& journal) {
  if (action.target != target.name()) {
    return Error{"target '" + action.target +
                 "' is not reachable from this faultline (only local targets exist yet)"};
  }
  const RollbackType* type = registry.rollback_type(action.type);
  if (type == nullptr) {
    return Error{ErrorCode::not_found, "type '" + action.type +
                                           "' is not registered here (is its plugin installed? "
                                           "pass the same --plugins as the drill)"};
  }
  StepContext context(
      target, &journal, action.key, [] { return false; }, [] { return 0.0; });
  try {
    return type->rollback(action.rollback, context);
  } catch (const std::exception& problem) {
    return Error{std::string("internal error: ") + problem.what()};
  }
}

std::string records_dir_of(const JournalContents& contents, const std::string& fallback) {
  JsonReader info(contents.info, "journal info");
  auto dir = info.text_or("records_dir", "");
  return dir.ok() && !dir->empty() ? *dir : fallback;
}

void write_interrupted_record(const std::string& path, const JournalContents& contents,
                              const std::vector<RecoveredAction>& recovered,
                              const std::string& fallback_records_dir, RecoverReport& report) {
  Json record = interrupted_record(path, contents, recovered);
  std::string problem;
  auto written = write_record_with_fallback(record, records_dir_of(contents, fallback_records_dir),
                                            fallback_records_dir, &problem);
  std::string drill = contents.drill_id.empty() ? path : contents.drill_id;
  if (!problem.empty()) report.lines.push_back("drill " + drill + ": " + problem);
  if (!written.ok()) {
    ++report.failures;
    report.lines.push_back("drill " + drill +
                           ": the interrupted-drill record could not be "
                           "written: " +
                           written.error().message);
    return;
  }
  report.records.push_back(*written);
  report.lines.push_back("drill " + drill + ": wrote record " + *written + " (verdict " +
                         record["verdict"].get<std::string>() + ")");
  // A drill that finished wrote its own JUnit file, which stays as CI saw it.
  if (contents.finished) return;
  JsonReader info(contents.info, "journal info");
  auto junit = info.text_or("junit", "");
  if (junit.ok() && !junit->empty()) {
    if (Status ok = write_junit(record, *junit); !ok) {
      report.lines.push_back("drill " + drill + ": " + ok.error().message);
    }
  }
}

void recover_journal(const std::string& path, const Registry& registry, Target& target,
                     const std::string& fallback_records_dir, RecoverReport& report) {
  auto journal = Journal::claim(path);
  if (!journal.ok()) {
    if (journal.error().is(ErrorCode::in_use)) {
      ++report.live_drills;
      report.lines.push_back("skipped " + path +
                             ": its drill is still running (stop it with SIGINT to roll back)");
    } else {
      ++report.failures;
      report.lines.push_back(journal.error().message);
    }
    return;
  }
  if ((*journal)->repaired_bytes() > 0) {
    // The runner died writing it, before the action it announced: nothing to undo there.
    report.lines.push_back(fmt::format(
        "journal {} line {}: cut off a torn last line ({} bytes) that the runner was writing "
        "when it died",
        path, (*journal)->repaired_line(), (*journal)->repaired_bytes()));
  }
  auto contents = (*journal)->read();
  if (!contents.ok()) {
    ++report.failures;
    report.lines.push_back(contents.error().message);
    return;
  }
  for (const auto& secret : contents->secrets) register_secret(secret);
  // Problems quote values from the file; read again now that its secrets are known, so
  // that they are redacted whole before being shortened.
  if (!contents->problems.empty()) contents = (*journal)->read();
  if (!contents.ok()) {
    ++report.failures;
    report.lines.push_back(contents.error().message);
    return;
  }
  // A line that cannot be read may have announced an action that is still in force:
  // recover undoes what it can read, but cannot call the drill clean.
  for (const auto& problem : contents->problems) {
    ++report.failures;
    report.lines.push_back("problem: " + problem);
  }
  std::string drill = contents->drill_id.empty() ? (*journal)->drill_id() : contents->drill_id;
  bool all_undone = true;
  std::vector<RecoveredAction> recovered;
  for (const JournalAction& action : recovery_order(contents->pending)) {
    auto undone = undo(action, registry, target, **journal);
    JournalOutcome outcome = !undone.ok()            ? JournalOutcome::failed
                             : *undone == Undo::done ? JournalOutcome::undone
                                                     : JournalOutcome::already_undone;
    std::string detail = undone.ok() ? "recovered" : undone.error().message;
    (void)(*journal)->record_done(action.key, outcome, detail);
    recovered.push_back({action, outcome_name(outcome), detail});
    if (outcome == JournalOutcome::undone) {
      ++report.undone;
      report.lines.push_back(
          fmt::format("drill {}: undid {} ({})", drill, action.key, action.what));
    } else if (outcome == JournalOutcome::already_undone) {
      ++report.already_gone;
      report.lines.push_back(fmt::format("drill {}: {} was already gone, nothing to undo ({})",
                                         drill, action.key, action.what));
    } else {
      ++report.failures;
      all_undone = false;
      report.lines.push_back(fmt::format("drill {}: FAILED to undo {} ({}): {}", drill, action.key,
                                         action.what, detail));
    }
  }
  write_interrupted_record(path, *contents, recovered, fallback_records_dir, report);
  if (!contents->problems.empty()) {
    report.lines.push_back(fmt::format(
        "journal {}: kept, because {} line(s) could not be read and may stand for something "
        "still faulted; check them, fix or delete them, then run `faultline recover` again",
        path, contents->problems.size()));
    return;
  }
  if (all_undone) {
    if (Status removed = (*journal)->remove(); !removed) {
      report.lines.push_back(removed.error().message);
    }
  }
}

}  // namespace

RecoverReport recover_from_journals(const std::string& journal_dir, const Registry& registry,
                                    Target& target, const std::string& fallback_records_dir) {
  RecoverReport report;
  for (const std::string& path : list_journals(journal_dir)) {
    try {
      recover_journal(path, registry, target, fallback_records_dir, report);
    } catch (const std::exception& problem) {
      ++report.failures;
      report.lines.push_back("journal " + path + ": internal error: " + problem.what());
    }
  }
  if (report.lines.empty()) report.lines.push_back("nothing to recover in " + journal_dir);
  return report;
}

}  // namespace faultline

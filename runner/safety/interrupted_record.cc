#include "runner/safety/interrupted_record.h"

#include <unistd.h>

#include "faultline_version.h"
#include "runner/core/json_reader.h"
#include "runner/core/secrets.h"
#include "runner/core/time.h"
#include "runner/engine/drill_report.h"
#include "runner/safety/stop_process_group.h"

namespace faultline {
namespace {

std::string text_field(const JsonReader& reader, const char* key) {
  auto value = reader.text_or(key, "");
  return value.ok() ? *value : "";
}

Json fault_entry(const JournalAction& intent, const JournalContents& journal,
                 const std::vector<RecoveredAction>& recovered) {
  Json entry{{"name", intent.key.substr(intent.key.find('/') + 1)},
             {"type", intent.type},
             {"what", intent.what},
             {"injected_at", intent.at}};
  auto by_runner = journal.done.find(intent.key);
  if (by_runner != journal.done.end() && by_runner->second.outcome != JournalOutcome::failed) {
    entry["rollback"] = Json{{"by", "runner"},
                             {"outcome", outcome_name(by_runner->second.outcome)},
                             {"detail", by_runner->second.detail},
                             {"at", by_runner->second.at}};
  }
  for (const auto& done : recovered) {
    if (done.action.key != intent.key) continue;
    entry["rollback"] = Json{{"by", "recover"},
                             {"outcome", done.outcome},
                             {"detail", done.detail},
                             {"at", utc_iso8601(WallClock::now())}};
  }
  if (!entry.contains("rollback")) entry["rollback"] = nullptr;
  return entry;
}

}  // namespace

Json interrupted_record(const std::string& journal_path, const JournalContents& journal,
                        const std::vector<RecoveredAction>& recovered) {
  JsonReader info(journal.info, "journal " + journal_path + " info");
  auto plan = info.object("plan");
  Json plan_json = plan.ok() ? plan->json() : Json::object();
  plan_json["vars"] = info.raw("vars").is_object() ? info.raw("vars") : Json::object();
  Json faults = Json::array();
  Json timeline = Json::array();
  for (const auto& intent : journal.intents) {
    timeline.push_back(
        Json{{"at", intent.at}, {"kind", "intent"}, {"name", intent.key}, {"detail", intent.what}});
    if (intent.type == kStopProcessGroup) continue;
    faults.push_back(fault_entry(intent, journal, recovered));
  }
  for (const auto& [key, done] : journal.done) {
    timeline.push_back(Json{
        {"at", done.at},
        {"kind", "done by runner"},
        {"name", key},
        {"detail", outcome_name(done.outcome) + (done.detail.empty() ? "" : ": " + done.detail)}});
  }
  Json recovery = Json::array();
  std::vector<std::string> leftovers;
  for (const auto& done : recovered) {
    recovery.push_back(Json{{"key", done.action.key},
                            {"type", done.action.type},
                            {"what", done.action.what},
                            {"outcome", done.outcome},
                            {"detail", done.detail}});
    if (done.outcome == "failed") leftovers.push_back(done.action.key + ": " + done.detail);
  }
  std::string now = utc_iso8601(WallClock::now());
  std::string id = journal.drill_id;
  std::string verdict = "interrupted";
  std::string reason = "the runner (pid " + std::to_string(journal.runner_pid) +
                       ") stopped without finishing the drill (killed or crashed); `faultline "
                       "recover` cleaned up after it at " +
                       now;
  if (journal.finished) {
    // The runner wrote the drill's own record: this one sits beside it, never over it.
    id += "-recovery";
    verdict = leftovers.empty() ? "recovered" : "rollback_failed";
    reason = "the drill ended with verdict " + journal.finished->verdict + " (exit " +
             std::to_string(journal.finished->exit_code) + ", see record " + journal.drill_id +
             ") leaving faults behind; `faultline recover` " +
             (leftovers.empty() ? "undid them" : "could not undo them all") + " at " + now;
  }
  Json record{
      {"schema", kRecordSchema},
      {"id", id},
      {"faultline_version", FAULTLINE_VERSION},
      {"plan", plan_json},
      {"host", text_field(info, "host")},
      {"operator", text_field(info, "operator")},
      {"target", text_field(info, "target")},
      {"started_at", text_field(info, "started_at")},
      {"ended_at", nullptr},
      {"recovered_at", now},
      {"verdict", verdict},
      {"exit_code", nullptr},
      {"reason", reason},
      {"leftovers", leftovers},
      // As journaled when the drill started: every one "not_evaluated".
      {"objectives", info.raw("objectives").is_object() ? info.raw("objectives") : Json::object()},
      {"measurements", nullptr},
      {"faults", faults},
      {"recovery", recovery},
      {"timeline", timeline},
      {"journal", {{"path", journal_path}, {"problems", journal.problems}}},
      {"recovered_by", {{"pid", ::getpid()}, {"faultline_version", FAULTLINE_VERSION}}},
  };
  redact_all(record);
  return record;
}

}  // namespace faultline

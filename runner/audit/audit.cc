#include "runner/audit/audit.h"

#include <algorithm>
#include <map>

#include "reports/json_fields.h"
#include "runner/schedule/schedule.h"

namespace faultline {
namespace {

bool judged(const std::string& verdict) { return verdict == "passed" || verdict == "failed"; }

std::string clock_note(const DueTime& due) {
  std::string time = due.local.size() > 11 ? due.local.substr(11) : due.local;
  if (due.shift == DueTime::Shift::after_gap) return time + " is skipped that day";
  if (due.shift == DueTime::Shift::first_of_two) return "the first of two " + time + "s";
  return "";
}

// The due slots of `schedule` in [since, until), each with the drills in its window.
void fill_due_slots(PlanAudit& audit, const Schedule& schedule, WallTime since, WallTime until) {
  auto due = schedule.due_between(since, until, kMaxDueSlots + 1);
  if (due.size() > kMaxDueSlots) audit.due_truncated = true;
  std::string until_text = utc_iso8601(until);
  for (size_t i = 0; i < std::min(due.size(), kMaxDueSlots); ++i) {
    DueSlot slot;
    slot.due_at = utc_iso8601(due[i].at);
    slot.due_local = schedule.local_text(due[i].at);
    slot.clock_note = clock_note(due[i]);
    auto next =
        i + 1 < due.size() ? std::optional<DueTime>(due[i + 1]) : schedule.next_after(due[i].at);
    slot.window_end = next ? utc_iso8601(next->at) : "";
    // Drills are sorted by start: the window's are one contiguous run.
    auto first = std::lower_bound(
        audit.drills.begin(), audit.drills.end(), slot.due_at,
        [](const AuditedDrill& drill, const std::string& at) { return drill.started_at < at; });
    for (auto it = first; it != audit.drills.end(); ++it) {
      if (!slot.window_end.empty() && it->started_at >= slot.window_end) break;
      if (judged(it->verdict)) {
        if (slot.held_by.empty()) slot.held_by = it->id;
      } else {
        slot.unjudged_drills.push_back(it->id + " (" + it->verdict + ")");
      }
    }
    slot.pending =
        slot.held_by.empty() && (slot.window_end.empty() || slot.window_end > until_text);
    audit.due.push_back(std::move(slot));
  }
}

}  // namespace

int PlanAudit::missed() const {
  return static_cast<int>(std::count_if(due.begin(), due.end(), [](const DueSlot& slot) {
    return slot.held_by.empty() && !slot.pending;
  }));
}

int PlanAudit::held() const {
  return static_cast<int>(std::count_if(due.begin(), due.end(),
                                        [](const DueSlot& slot) { return !slot.held_by.empty(); }));
}

int AuditResult::missed_drills() const {
  int total = 0;
  for (const auto& plan : plans) total += plan.missed();
  return total;
}

int AuditResult::objectives_missed() const {
  int total = 0;
  for (const auto& plan : plans) total += static_cast<int>(plan.objectives_missed.size());
  return total;
}

int AuditResult::overdue_actions() const {
  int total = 0;
  for (const auto& plan : plans) total += static_cast<int>(plan.overdue_actions.size());
  return total;
}

Result<AuditResult> audit_drills(const std::vector<AuditedPlan>& plans, RecordStore& store,
                                 WallTime since, WallTime until, WallTime now) {
  AuditResult result;
  result.since = utc_iso8601(since);
  result.until = utc_iso8601(until);
  result.today = utc_date(now);
  result.store = store.describe();

  std::map<std::string, size_t> index;
  for (const auto& plan : plans) {
    index[plan.name] = result.plans.size();
    result.plans.push_back(PlanAudit{plan, {}, false, {}, {}, {}, 0});
  }
  std::map<std::string, int> others;
  EntryQuery query = EntryQuery::about("record");
  query.since = result.since;
  query.until = result.until;
  query.with_bodies = false;
  Status scanned = store.scan(query, [&](const LedgerEntry& entry) {
    auto found = index.find(entry.plan);
    if (found == index.end()) {
      ++others[entry.plan];
      return true;
    }
    Json summary = Json::parse(entry.summary, nullptr, false);
    AuditedDrill drill{entry.subject, entry.started_at, entry.verdict,
                       text_field(summary, "plan_sha256", ""), field_of(summary, "objectives")};
    result.plans[found->second].drills.push_back(std::move(drill));
    return true;
  });
  if (!scanned) return scanned.error().with_context("cannot read the drill records");

  // Due times are judged up to the end of the period, or now if that is earlier: a due
  // time still to come is not due.
  WallTime due_until = std::min(until, now);
  for (auto& audit : result.plans) {
    std::stable_sort(
        audit.drills.begin(), audit.drills.end(),
        [](const AuditedDrill& a, const AuditedDrill& b) { return a.started_at < b.started_at; });
    for (const auto& drill : audit.drills) {
      if (drill.verdict == "failed") audit.objectives_missed.push_back(drill);
      if (!drill.plan_sha256.empty() && drill.plan_sha256 != audit.plan.sha256)
        ++audit.other_plan_versions;
    }
    if (!audit.plan.schedule) continue;
    auto schedule = Schedule::make(audit.plan.schedule->cron, audit.plan.schedule->timezone);
    if (!schedule) return schedule.error().with_context("plan '" + audit.plan.name + "'");
    fill_due_slots(audit, *schedule, since, due_until);
  }

  auto actions = corrective_actions(store);
  if (!actions) return actions.error().with_context("cannot read the corrective actions");
  for (const auto& action : *actions) {
    auto found = index.find(action.plan);
    if (found != index.end() && action.overdue(result.today))
      result.plans[found->second].overdue_actions.push_back(action);
  }
  for (const auto& [name, count] : others) result.other_plans.emplace_back(name, count);
  return result;
}

}  // namespace faultline

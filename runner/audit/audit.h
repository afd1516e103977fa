#pragma once
// Planned versus executed: for each plan, the drills its schedule made due in a period,
// the drills the record store holds, the due drills that were missed, the drills that
// missed their objectives, and the corrective actions past their due date.
//
// A due time's window runs from it to the plan's next due time (exclusive): the due
// drill was held when a drill of that plan started inside the window and was judged
// (verdict passed or failed). A drill that aborted, or was interrupted, does not hold it.
// A window that has not closed by the end of the period and holds no drill is pending,
// not missed. Drills are matched to plans by plan name; a drill run from another version
// of the plan (another SHA-256) still counts, and is counted as such.
#include <optional>
#include <string>
#include <vector>

#include "reports/store/ledger_entries.h"
#include "runner/core/json.h"
#include "runner/core/time.h"
#include "runner/plan/plan.h"

namespace faultline {

// A plan as the audit sees it.
struct AuditedPlan {
  std::string name, path, sha256;
  std::optional<PlanSchedule> schedule;
};

struct AuditedDrill {
  std::string id, started_at, verdict, plan_sha256;
  Json objectives;  // the record's objectives, as its ledger summary holds them
};

struct DueSlot {
  std::string due_at;      // UTC ISO 8601
  std::string due_local;   // "2026-03-29 03:00 CEST"
  std::string window_end;  // UTC: the next due time
  std::string clock_note;  // "02:30 is skipped that day", "the first of two 01:30s", ""
  std::string held_by;     // the drill id that held it, "" when none did
  std::vector<std::string> unjudged_drills;  // aborted/interrupted drills in its window
  bool pending = false;                      // its window is still open at the end of the period
};

struct PlanAudit {
  AuditedPlan plan;
  std::vector<DueSlot> due;
  bool due_truncated = false;        // more due times than the audit lists (kMaxDueSlots)
  std::vector<AuditedDrill> drills;  // every drill of the plan in the period
  std::vector<AuditedDrill> objectives_missed;  // verdict failed
  std::vector<CorrectiveAction> overdue_actions;
  int other_plan_versions = 0;  // drills whose plan SHA-256 is not the file's

  int missed() const;
  int held() const;
};

struct AuditResult {
  std::string since, until, today;  // UTC; today: what "overdue" is judged against
  std::string store;
  std::vector<PlanAudit> plans;
  // Drills in the period of plans that are not among the audited ones: name, count.
  std::vector<std::pair<std::string, int>> other_plans;

  int missed_drills() const;
  int objectives_missed() const;
  int overdue_actions() const;
  bool clean() const { return missed_drills() + objectives_missed() + overdue_actions() == 0; }
};

// At most this many due times per plan are listed (a `* * * * *` schedule over a year
// has half a million); the count says when there were more.
constexpr size_t kMaxDueSlots = 10000;

// Audits `plans` against `store` over [since, until). Reads record entries without their
// bodies (one scan of the period) and the reviews; `now` decides which actions are overdue
// (open, due before now's UTC date). Fails when a plan's schedule cannot be made or the
// store cannot be read.
Result<AuditResult> audit_drills(const std::vector<AuditedPlan>& plans, RecordStore& store,
                                 WallTime since, WallTime until, WallTime now);

// The audit as JSON (stable field names, for tooling), Markdown (tickets, wikis, a
// terminal) and a self-contained HTML page (no scripts, no external assets; every text
// escaped).
Json audit_json(const AuditResult& audit);
std::string audit_markdown(const AuditResult& audit);
std::string audit_html(const AuditResult& audit);

}  // namespace faultline

#pragma once
// What goes into the ledger and how it is read back: drill records, post-drill reviews
// (lessons and a corrective action) and closings of actions. Reviews and closings are new
// entries, never edits: the history of a finding stays in the chain.
#include <optional>
#include <string>
#include <vector>

#include "reports/store/record_store.h"
#include "runner/core/json.h"

namespace faultline {

// A drill record as an entry: its id, plan, verdict and start as columns, and a summary
// (objectives, exit code, operator, host) that listings show without reading the body.
NewEntry record_entry(const Json& record);

struct Review {
  std::string drill_id, plan;
  std::string by, at;  // who wrote it, and when (UTC)
  std::vector<std::string> lessons;
  std::string action, owner, due;  // a corrective action; due is YYYY-MM-DD ("" = none)
};
NewEntry review_entry(const Review& review);

// Closing corrective action `action_id` of drill `drill_id`.
NewEntry action_closed_entry(const std::string& drill_id, const std::string& plan,
                             const std::string& action_id, const std::string& by,
                             const std::string& at, const std::string& note);

struct CorrectiveAction {
  std::string id;  // "A<seq>", the seq of the review that raised it
  std::string drill_id, plan, text, owner, due, raised_by, raised_at;
  bool closed = false;
  std::string closed_by, closed_at, note;
  // Open and due before `today` (YYYY-MM-DD).
  bool overdue(const std::string& today) const { return !closed && !due.empty() && due < today; }
};

// Every corrective action in the store (of `drill_id` only, when given), in the order
// they were raised, with their closings applied.
Result<std::vector<CorrectiveAction>> corrective_actions(RecordStore& store,
                                                         const std::string& drill_id = "");

// The reviews of `drill_id` as JSON ({seq, by, at, lessons, action}), in order.
Result<Json> reviews_of(RecordStore& store, const std::string& drill_id);

// The record entry whose id is `id`, or else the only one whose id starts with it. Fails
// (not_found) naming what was looked for, or (invalid) when a prefix matches several.
Result<LedgerEntry> find_record(RecordStore& store, const std::string& id);

// The body of an entry as JSON; an object with "error" when it is not valid JSON.
Json entry_body(const LedgerEntry& entry);

}  // namespace faultline

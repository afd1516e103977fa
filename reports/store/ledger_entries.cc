#include "reports/store/ledger_entries.h"

#include <fmt/format.h>

#include <map>

#include "reports/json_fields.h"

namespace faultline {

NewEntry record_entry(const Json& record) {
  NewEntry entry;
  entry.kind = "record";
  entry.subject = text_field(record, "id", "");
  entry.plan = text_field(field_of(record, "plan"), "name", "");
  entry.verdict = text_field(record, "verdict", "");
  entry.started_at = text_field(record, "started_at", "");
  Json summary{{"objectives", field_of(record, "objectives")},
               {"exit_code", field_of(record, "exit_code")},
               {"operator", field_of(record, "operator")},
               {"host", field_of(record, "host")},
               {"duration_ms", field_of(record, "duration_ms")},
               {"plan_sha256", field_of(field_of(record, "plan"), "sha256")}};
  if (!field_of(record, "tiers").is_null()) summary["tiers"] = field_of(record, "tiers");
  entry.summary = json_text(summary);
  entry.body = json_text(record);
  return entry;
}

NewEntry review_entry(const Review& review) {
  Json body{{"review_of", review.drill_id},
            {"by", review.by},
            {"at", review.at},
            {"lessons", review.lessons},
            {"action", nullptr}};
  if (!review.action.empty()) {
    body["action"] = Json{{"text", review.action}, {"owner", review.owner}, {"due", review.due}};
  }
  NewEntry entry;
  entry.kind = "review";
  entry.subject = review.drill_id;
  entry.plan = review.plan;
  entry.summary = "{}";
  entry.body = json_text(body);
  return entry;
}

NewEntry action_closed_entry(const std::string& drill_id, const std::string& plan,
                             const std::string& action_id, const std::string& by,
                             const std::string& at, const std::string& note) {
  NewEntry entry;
  entry.kind = "action_closed";
  entry.subject = drill_id;
  entry.plan = plan;
  entry.summary = "{}";
  entry.body = json_text(Json{{"action", action_id}, {"by", by}, {"at", at}, {"note", note}});
  return entry;
}

Json entry_body(const LedgerEntry& entry) {
  Json body = Json::parse(entry.body, nullptr, false);
  if (body.is_discarded()) return Json{{"error", "the entry's body is not valid JSON"}};
  return body;
}

Result<std::vector<CorrectiveAction>> corrective_actions(RecordStore& store,
                                                         const std::string& drill_id) {
  std::vector<CorrectiveAction> actions;
  std::map<std::string, size_t> by_id;
  auto raised = [&](const LedgerEntry& entry) {
    Json body = entry_body(entry);
    const Json& action = field_of(body, "action");
    if (!action.is_object()) return true;
    CorrectiveAction item;
    item.id = "A" + std::to_string(entry.seq);
    item.drill_id = entry.subject;
    item.plan = entry.plan;
    item.text = text_field(action, "text", "");
    item.owner = text_field(action, "owner", "");
    item.due = text_field(action, "due", "");
    item.raised_by = text_field(body, "by", "");
    item.raised_at = text_field(body, "at", entry.appended_at);
    by_id[item.id] = actions.size();
    actions.push_back(item);
    return true;
  };
  if (Status read = store.scan(EntryQuery::about("review", drill_id), raised); !read)
    return read.error();
  auto closed = [&](const LedgerEntry& entry) {
    Json body = entry_body(entry);
    auto found = by_id.find(text_field(body, "action", ""));
    if (found == by_id.end()) return true;
    CorrectiveAction& action = actions[found->second];
    action.closed = true;
    action.closed_by = text_field(body, "by", "");
    action.closed_at = text_field(body, "at", entry.appended_at);
    action.note = text_field(body, "note", "");
    return true;
  };
  if (Status read = store.scan(EntryQuery::about("action_closed", drill_id), closed); !read)
    return read.error();
  return actions;
}

Result<Json> reviews_of(RecordStore& store, const std::string& drill_id) {
  Json reviews = Json::array();
  Status read = store.scan(EntryQuery::about("review", drill_id), [&](const LedgerEntry& entry) {
    Json body = entry_body(entry);
    Json review{{"seq", entry.seq},
                {"by", field_of(body, "by")},
                {"at", field_of(body, "at")},
                {"lessons", field_of(body, "lessons")},
                {"action", field_of(body, "action")}};
    if (review["action"].is_object()) review["action"]["id"] = "A" + std::to_string(entry.seq);
    reviews.push_back(review);
    return true;
  });
  if (!read) return read.error();
  return reviews;
}

Result<LedgerEntry> find_record(RecordStore& store, const std::string& id) {
  std::optional<LedgerEntry> exact;
  Status read = store.scan(EntryQuery::about("record", id), [&](const LedgerEntry& entry) {
    exact = entry;
    return false;
  });
  if (!read) return read.error();
  if (exact) return *exact;
  // A prefix, as with git: the ids are long.
  std::vector<LedgerEntry> matches;
  if (!id.empty()) {
    EntryQuery records = EntryQuery::about("record");
    records.with_bodies = false;
    read = store.scan(records, [&](const LedgerEntry& entry) {
      if (entry.subject.rfind(id, 0) == 0) matches.push_back(entry);
      return matches.size() < 2;
    });
    if (!read) return read.error();
  }
  if (matches.empty()) {
    return Error{ErrorCode::not_found,
                 fmt::format("no drill record '{}' in the record store {}", id, store.describe())};
  }
  if (matches.size() > 1) {
    return Error{ErrorCode::invalid,
                 fmt::format("'{}' names more than one drill record ({}, {}, ...); give more of "
                             "the id",
                             id, matches[0].subject, matches[1].subject)};
  }
  return find_record(store, matches[0].subject);
}

}  // namespace faultline

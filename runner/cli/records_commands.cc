// `faultline records ...`: the record store as auditors and SREs query it. Exit codes: 0
// done; 1 verify found the ledger (or an evidence bundle) tampered with; 2 a usage error, an
// unknown id, or a store that cannot be opened or read.
#include <fmt/format.h>

#include <cstdio>

#include "reports/record_text.h"
#include "reports/review_text.h"
#include "reports/store/evidence.h"
#include "reports/store/ledger.h"
#include "reports/store/ledger_entries.h"
#include "runner/cli/commands.h"
#include "runner/cli/records_shared.h"
#include "runner/core/exit_codes.h"
#include "runner/core/secrets.h"
#include "runner/core/time.h"
#include "runner/os/tar_archive.h"

namespace faultline {
namespace {

using exit_codes::kUsage;
// verify found a problem
constexpr int kExitProblems = exit_codes::kMissed;

int fail(const std::string& message) {
  std::fprintf(stderr, "faultline records: %s\n", redact(message).c_str());
  return kUsage;
}

void print(const std::string& text) { std::fputs(redact(text).c_str(), stdout); }

int records_list(const CliOptions& options, RecordStore& store) {
  auto query = record_query(options.records);
  if (!query) return fail(query.error().message);
  query->with_bodies = false;
  Json listed = Json::array();
  std::string text;
  int64_t count = 0;
  Status read = store.scan(*query, [&](const LedgerEntry& entry) {
    ++count;
    Json summary = Json::parse(entry.summary, nullptr, false);
    if (options.json) {
      listed.push_back(Json{{"id", entry.subject},
                            {"seq", entry.seq},
                            {"plan", entry.plan},
                            {"verdict", entry.verdict},
                            {"started_at", entry.started_at},
                            {"summary", summary.is_discarded() ? Json(nullptr) : summary}});
    } else {
      text += fmt::format("{}  {}  {:<9} {}  {}\n", entry.started_at.substr(0, 19), entry.subject,
                          entry.verdict, entry.plan,
                          objectives_line(summary.is_discarded() ? Json() : summary["objectives"]));
    }
    return true;
  });
  if (!read) return fail(read.error().message);
  if (options.json) {
    print(json_text(listed, 2) + "\n");
  } else {
    print(text + fmt::format("{} drill record(s) in {}\n", count, store.describe()));
  }
  return 0;
}

int records_show(const CliOptions& options, RecordStore& store) {
  auto entry = find_record(store, options.records.id);
  if (!entry) return fail(entry.error().message);
  Json record = entry_body(*entry);
  auto reviews = reviews_of(store, entry->subject);
  if (!reviews) return fail(reviews.error().message);
  auto actions = corrective_actions(store, entry->subject);
  if (!actions) return fail(actions.error().message);
  std::string today = utc_date(WallClock::now());
  if (options.json) {
    Json out{
        {"record", record},
        {"ledger", {{"seq", entry->seq}, {"hash", entry->hash}, {"signed", !entry->mac.empty()}}},
        {"reviews", *reviews},
        {"actions", actions_json(*actions, today)}};
    print(json_text(out, 2) + "\n");
    return 0;
  }
  print(record_text(record) + reviews_text(*reviews, *actions, today) +
        fmt::format("ledger: entry {} · hash {}{}\n", entry->seq, entry->hash,
                    entry->mac.empty() ? "" : " · signed"));
  return 0;
}

int records_review(const CliOptions& options, RecordStore& store, const std::string& key) {
  const RecordsOptions& given = options.records;
  if (given.lessons.empty() && given.corrective_action.empty()) {
    return fail("review needs at least one --lesson TEXT or an --action TEXT");
  }
  if (!given.corrective_action.empty() && (given.owner.empty() || given.due.empty())) {
    return fail("an --action needs an --owner WHO and a --due DATE (YYYY-MM-DD)");
  }
  if (given.corrective_action.empty() && (!given.owner.empty() || !given.due.empty())) {
    return fail("--owner and --due belong to an --action TEXT");
  }
  if (!given.due.empty() && (!is_date_only(given.due) || !parse_utc_time(given.due))) {
    return fail("--due takes a date, YYYY-MM-DD, not '" + given.due + "'");
  }
  auto entry = find_record(store, given.id);
  if (!entry) return fail(entry.error().message);
  Review review{entry->subject,
                entry->plan,
                operator_name(options.operator_name),
                utc_iso8601(WallClock::now()),
                given.lessons,
                given.corrective_action,
                given.owner,
                given.due};
  auto appended = store.append(review_entry(review), key);
  if (!appended) return fail(appended.error().message);
  std::string action = given.corrective_action.empty()
                           ? ""
                           : fmt::format("; corrective action A{} for {}, due {}", appended->seq,
                                         given.owner, given.due);
  print(fmt::format("review of {} appended to the ledger (entry {}){}\n", entry->subject,
                    appended->seq, action));
  return 0;
}

int records_close(const CliOptions& options, RecordStore& store, const std::string& key) {
  auto actions = corrective_actions(store);
  if (!actions) return fail(actions.error().message);
  for (const auto& action : *actions) {
    if (action.id != options.records.id) continue;
    if (action.closed) {
      return fail(fmt::format("action {} was already closed by {} at {}", action.id,
                              action.closed_by, action.closed_at));
    }
    auto appended =
        store.append(action_closed_entry(action.drill_id, action.plan, action.id,
                                         operator_name(options.operator_name),
                                         utc_iso8601(WallClock::now()), options.records.note),
                     key);
    if (!appended) return fail(appended.error().message);
    print(fmt::format("action {} closed (ledger entry {})\n", action.id, appended->seq));
    return 0;
  }
  return fail(fmt::format("no corrective action '{}' in {} (see 'faultline records actions')",
                          options.records.id, store.describe()));
}

int records_actions(const CliOptions& options, RecordStore& store) {
  auto actions = corrective_actions(store);
  if (!actions) return fail(actions.error().message);
  std::string today = utc_date(WallClock::now());
  std::vector<CorrectiveAction> shown;
  for (const auto& action : *actions) {
    if (options.records.open_only && action.closed) continue;
    if (options.records.overdue_only && !action.overdue(today)) continue;
    shown.push_back(action);
  }
  if (options.json) {
    print(json_text(actions_json(shown, today), 2) + "\n");
    return 0;
  }
  print(actions_text(shown, today) + fmt::format("{} action(s)\n", shown.size()));
  return 0;
}

int records_verify(const CliOptions& options, RecordStore& store, const std::string& key) {
  VerifyOptions verify{key, options.records.head};
  auto checked = verify_ledger(store, verify);
  if (!checked) return fail(checked.error().message);
  print(verification_text(*checked, store.describe(), !key.empty()));
  return checked->ok() ? 0 : kExitProblems;
}

std::string bundle_summary(const BundleVerification& checked, const std::string& bundle,
                           bool with_key) {
  std::string text;
  for (const auto& problem : checked.problems) text += "TAMPERED: " + problem + "\n";
  for (const auto& problem : checked.ledger.problems) text += "TAMPERED: " + problem.what + "\n";
  const Json& manifest = checked.manifest;
  std::string from =
      fmt::format("exported from {} at {} by {}", json_text(manifest["store"]),
                  json_text(manifest["exported_at"]), json_text(manifest["exported_by"]));
  if (!checked.ok()) {
    return text + fmt::format("bundle NOT intact: {} problem(s) · {} · {}\n",
                              checked.problems.size() + checked.ledger.problems.size(), bundle,
                              from);
  }
  return text + fmt::format(
                    "bundle ok: {} entries (ledger entries {} to {}), every file as the "
                    "manifest lists it, chain intact, {} · {} · {}\nhead {}\n",
                    checked.ledger.entries, json_text(manifest["first_seq"]),
                    json_text(manifest["last_seq"]),
                    with_key ? "signatures checked" : "signatures not checked (no key)", bundle,
                    from, checked.ledger.head);
}

// Needs no store: the bundle is all there is on the auditor's machine.
int records_verify_bundle(const CliOptions& options, const std::string& key) {
  auto files = read_tar_gz(options.records.bundle);
  if (!files) return fail(files.error().message);
  VerifyOptions verify{key, options.records.head};
  auto checked = verify_evidence(*files, verify);
  if (!checked) return fail(options.records.bundle + ": " + checked.error().message);
  print(bundle_summary(*checked, options.records.bundle, !key.empty()));
  return checked->ok() ? 0 : kExitProblems;
}

int records_export(const CliOptions& options, RecordStore& store, const std::string& key) {
  ExportRequest request;
  if (!options.records.since.empty()) {
    auto since = parse_utc_time(options.records.since);
    if (!since) return fail(since.error().with_context("--since").message);
    request.since = utc_iso8601(*since);
  }
  request.exported_at = utc_iso8601(WallClock::now());
  request.exported_by = operator_name(options.operator_name);
  request.key = key;
  auto verified = verify_ledger(store, VerifyOptions{key, ""});
  if (!verified) return fail(verified.error().message);
  std::string report = verification_text(*verified, store.describe(), !key.empty());
  auto exported = export_evidence(store, request, *verified, report);
  if (!exported) return fail(exported.error().message);
  Status written = write_tar_gz(options.records.output, exported->files);
  if (!written) return fail(written.error().message);
  print(report + fmt::format("exported ledger entries {} to {} ({} entries, {} files) to {}\n",
                             exported->first_seq, exported->last_seq, exported->entries,
                             exported->files.size(), options.records.output));
  return 0;
}

}  // namespace

int command_records(const CliOptions& options) {
  const std::string& action = options.records.action;
  auto key = resolve_ledger_key(options.key_file);
  if (!key) return fail(key.error().message);
  if (action == "verify" && !options.records.bundle.empty()) {
    return records_verify_bundle(options, *key);
  }
  auto store = open_store_of(options, StoreOpening::existing_only);
  if (!store) return fail(store.error().message);
  if (action == "list") return records_list(options, **store);
  if (action == "show") return records_show(options, **store);
  if (action == "review") return records_review(options, **store, *key);
  if (action == "close") return records_close(options, **store, *key);
  if (action == "actions") return records_actions(options, **store);
  if (action == "verify") return records_verify(options, **store, *key);
  if (action == "export") return records_export(options, **store, *key);
  return fail("unknown records command '" + action + "'");
}

}  // namespace faultline

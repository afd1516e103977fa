// `faultline report`: one drill's report (HTML, Markdown, JSON) from the record store or
// a record file, or one plan's trend across its drills. Exit codes: 0 written; 2 a usage
// error, an unknown or ambiguous id, a record that cannot be read, a store that cannot be
// opened, or an output file that cannot be written.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>

#include "reports/report/report.h"
#include "reports/review_text.h"
#include "reports/store/ledger_entries.h"
#include "runner/cli/commands.h"
#include "runner/cli/records_cli.h"
#include "runner/cli/records_shared.h"
#include "runner/core/secrets.h"
#include "runner/core/time.h"
#include "runner/os/files.h"

namespace faultline {
namespace {

constexpr int kExitUsage = 2;
constexpr size_t kMaxRecordBytes = 256u << 20;

int fail(const std::string& message) {
  std::fprintf(stderr, "faultline report: %s\n", redact(message).c_str());
  return kExitUsage;
}

std::string check_format(std::string& value) {
  if (value == "html" || value == "md" || value == "json") return "";
  return "takes html, md or json, not '" + value + "'";
}

// The reviews and actions of `subject.record` in `store`, into `subject`.
Status add_reviews(RecordStore& store, const std::string& drill_id, ReportSubject& subject) {
  auto reviews = reviews_of(store, drill_id);
  if (!reviews) return reviews.error();
  auto actions = corrective_actions(store, drill_id);
  if (!actions) return actions.error();
  subject.reviews = *reviews;
  subject.actions = actions_json(*actions, utc_date(WallClock::now()));
  return {};
}

bool names_a_file(const std::string& argument) {
  std::error_code ec;
  return argument.find('/') != std::string::npos ||
         (argument.size() > 5 && argument.ends_with(".json") &&
          std::filesystem::exists(argument, ec));
}

// A record file: the report shows what the store holds about that drill when there is
// a store; without one it says so.
Result<ReportSubject> subject_from_file(const CliOptions& options, const std::string& path) {
  auto text = read_regular_file(path, kMaxRecordBytes, "record");
  if (!text) return text.error();
  Json record = Json::parse(*text, nullptr, false);
  if (record.is_discarded() || !record.is_object()) {
    return Error(ErrorCode::invalid,
                 fmt::format("{} is not a drill record (not a JSON object)", path));
  }
  ReportSubject subject{record, Json(), Json::array(), Json::array(), path};
  auto store = open_store_of(options, StoreOpening::existing_only);
  if (!store) {
    subject.store = path + " (no record store to read reviews from: " + store.error().message + ")";
    return subject;
  }
  std::string id =
      record.contains("id") && record["id"].is_string() ? record["id"].get<std::string>() : "";
  auto entry = id.empty() ? Result<LedgerEntry>(Error(ErrorCode::not_found, "no id"))
                          : find_record(**store, id);
  if (entry && entry->subject == id) {
    subject.ledger = Json{{"seq", entry->seq},
                          {"hash", entry->hash},
                          {"signed", !entry->mac.empty()},
                          {"same_as_file", entry_body(*entry) == record}};
  }
  if (Status added = add_reviews(**store, id, subject); !added) return added.error();
  return subject;
}

Result<ReportSubject> subject_from_store(const CliOptions& options, const std::string& id) {
  auto store = open_store_of(options, StoreOpening::existing_only);
  if (!store) return store.error();
  auto entry = find_record(**store, id);
  if (!entry) return entry.error();
  ReportSubject subject{
      entry_body(*entry),
      Json{{"seq", entry->seq}, {"hash", entry->hash}, {"signed", !entry->mac.empty()}},
      Json::array(), Json::array(), (*store)->describe()};
  if (Status added = add_reviews(**store, entry->subject, subject); !added) return added.error();
  return subject;
}

Result<std::string> drill_report(const CliOptions& options) {
  const std::string& id = options.records.id;
  auto subject =
      names_a_file(id) ? subject_from_file(options, id) : subject_from_store(options, id);
  if (!subject) return subject.error();
  const std::string& format = options.records.format;
  if (format == "json") return json_text(report_json(*subject), 2) + "\n";
  if (format == "md") return report_markdown(*subject);
  return report_html(*subject);
}

Result<std::string> trend_report(const CliOptions& options) {
  const RecordsOptions& given = options.records;
  if (given.plan.empty()) return Error(ErrorCode::invalid, "--trend needs --plan NAME");
  if (given.format == "json") {
    return Error(ErrorCode::invalid,
                 "--trend writes html or md; for JSON use 'faultline records list "
                 "--plan NAME --json'");
  }
  auto query = record_query(given);
  if (!query) return query.error();
  query->with_bodies = false;
  auto store = open_store_of(options, StoreOpening::existing_only);
  if (!store) return store.error();
  std::vector<TrendDrill> drills;
  Status read = (*store)->scan(*query, [&](const LedgerEntry& entry) {
    Json summary = Json::parse(entry.summary, nullptr, false);
    drills.push_back(
        {entry.subject, entry.started_at, entry.verdict,
         summary.is_object() && summary.contains("objectives") ? summary["objectives"] : Json()});
    return true;
  });
  if (!read) return read.error();
  // Oldest first by start, whatever order they were appended in.
  std::stable_sort(drills.begin(), drills.end(), [](const TrendDrill& a, const TrendDrill& b) {
    return a.started_at < b.started_at;
  });
  std::string where = (*store)->describe();
  return given.format == "md" ? trend_markdown(given.plan, drills, where)
                              : trend_html(given.plan, drills, where);
}

}  // namespace

void add_report_options(CLI::App& command, CliOptions& options) {
  RecordsOptions& given = options.records;
  command
      .add_option("id", given.id,
                  "a drill id in the store (or a unique start of it), or a record file")
      ->type_name("ID|FILE");
  command.add_option("--format", given.format, "html (default), md or json")
      ->type_name("html|md|json")
      ->check(CLI::Validator(check_format, ""));
  command.add_option("-o,--output", given.output, "write to this file instead of standard output")
      ->type_name("FILE");
  command.add_flag("--trend", given.trend, "achieved against target across a plan's drills");
  command.add_option("--plan", given.plan, "--trend: the plan")->type_name("NAME");
  command.add_option("--since", given.since, "--trend: drills that started at or after this (UTC)")
      ->type_name("DATE");
  command.add_option("--until", given.until, "--trend: drills that started before this")
      ->type_name("DATE");
}

int command_report(const CliOptions& options) {
  const RecordsOptions& given = options.records;
  if (given.trend && !given.id.empty()) {
    return fail("give a drill ID or --trend --plan NAME, not both");
  }
  if (!given.trend && given.id.empty()) {
    return fail("needs a drill ID (see 'faultline records list') or --trend --plan NAME");
  }
  auto report = given.trend ? trend_report(options) : drill_report(options);
  if (!report) return fail(report.error().message);
  if (given.output.empty()) {
    std::fputs(report->c_str(), stdout);
    return 0;
  }
  if (Status written = write_file_atomically(given.output, *report); !written) {
    return fail(written.error().message);
  }
  std::printf("report written to %s\n", given.output.c_str());
  return 0;
}

}  // namespace faultline

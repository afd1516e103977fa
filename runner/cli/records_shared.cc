#include "runner/cli/records_shared.h"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>

#include "reports/store/ledger_entries.h"
#include "runner/core/time.h"
#include "runner/runner.h"

namespace faultline {

Result<std::unique_ptr<RecordStore>> open_store_of(const CliOptions& options,
                                                   StoreOpening opening) {
  return open_record_store(resolve_store_location(options.store, resolve_home(options.home)),
                           opening);
}

Result<EntryQuery> record_query(const RecordsOptions& options) {
  EntryQuery query = EntryQuery::about("record");
  query.plan = options.plan;
  query.verdict = options.verdict;
  if (!options.since.empty()) {
    auto since = parse_utc_time(options.since);
    if (!since) return since.error().with_context("--since");
    query.since = utc_iso8601(*since);
  }
  if (!options.until.empty()) {
    auto until = parse_utc_time(options.until);
    if (!until) return until.error().with_context("--until");
    if (is_date_only(options.until)) *until += std::chrono::hours(24);
    query.until = utc_iso8601(*until);
  }
  return query;
}

Result<TierTable> tier_table_of(const CliOptions& options) {
  if (const char* path = std::getenv("FAULTLINE_TIERS"); path && *path) {
    return read_tier_table(path);
  }
  std::string own = resolve_home(options.home) + "/tiers.json";
  std::error_code ec;
  if (std::filesystem::exists(own, ec)) return read_tier_table(own);
  return default_tier_table();
}

Status append_record(const CliOptions& options, const Json& record) {
  auto key = resolve_ledger_key(options.key_file);
  if (!key) return key.error();
  auto store = open_store_of(options, StoreOpening::create_if_missing);
  if (!store) return store.error();
  auto appended = (*store)->append(record_entry(record), *key);
  if (!appended) return appended.error();
  return {};
}

std::string verification_text(const LedgerVerification& result, const std::string& store,
                              bool with_key) {
  std::string text;
  for (const auto& problem : result.problems) text += "TAMPERED: " + problem.what + "\n";
  std::string signatures =
      with_key ? "signatures checked"
               : (result.signed_entries > 0
                      ? fmt::format("{} signed entries not checked (no ledger key given)",
                                    result.signed_entries)
                      : "unsigned");
  if (result.ok()) {
    text += fmt::format("ledger ok: {} entries, chain intact, {} · {}\nhead {}\n", result.entries,
                        signatures, store, result.head.empty() ? "(empty)" : result.head);
  } else {
    text += fmt::format("ledger NOT intact: {} problem(s) in {} entries · {}\n",
                        result.problems.size(), result.entries, store);
  }
  return text;
}

}  // namespace faultline

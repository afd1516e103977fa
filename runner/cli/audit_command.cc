// `faultline audit`: planned versus executed drills (runner/audit/audit.h), per plan in a
// folder, against the record store. Exit codes: 0 clean; 1 a due drill was missed, a drill
// missed its objectives, or a corrective action is overdue; 2 a usage error, a plan that
// does not load, or a store that cannot be opened or read.
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "runner/audit/audit.h"
#include "runner/cli/commands.h"
#include "runner/cli/plan_files.h"
#include "runner/cli/records_shared.h"
#include "runner/core/exit_codes.h"
#include "runner/core/secrets.h"
#include "runner/os/files.h"

namespace faultline {
namespace {

// Something due was missed or overdue: a compliance job gates on it.
constexpr int kExitFindings = exit_codes::kMissed;
using exit_codes::kUsage;

int fail(const std::string& message) {
  std::fprintf(stderr, "faultline audit: %s\n", redact(message).c_str());
  return kUsage;
}

// The *.yaml and *.yml files directly in `dir`, sorted.
Result<std::vector<std::string>> plan_files_in(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Error(ErrorCode::not_found, "--plans " + dir + " is not a folder");
  }
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string extension = it->path().extension().string();
    if ((extension == ".yaml" || extension == ".yml") && it->is_regular_file(ec))
      files.push_back(it->path().string());
  }
  if (ec) return Error(ErrorCode::failed, "cannot read --plans " + dir + ": " + ec.message());
  if (files.empty()) {
    return Error(ErrorCode::not_found, "no plans (*.yaml, *.yml) in " + dir);
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int command_audit(const CliOptions& options) {
  const AuditOptions& wanted = options.audit;
  auto since = parse_utc_time(wanted.since);
  if (!since) return fail(since.error().with_context("--since").message);
  WallTime now = WallClock::now();
  WallTime until = now;
  if (!wanted.until.empty()) {
    auto parsed = parse_utc_time(wanted.until);
    if (!parsed) return fail(parsed.error().with_context("--until").message);
    until = *parsed + (is_date_only(wanted.until) ? std::chrono::hours(24) : std::chrono::hours(0));
  }
  if (until <= *since) {
    return fail(
        fmt::format("--until {} is not after --since {}", utc_iso8601(until), utc_iso8601(*since)));
  }

  auto files = plan_files_in(wanted.plans_dir);
  if (!files) return fail(files.error().message);
  CliOptions loading = options;
  loading.plans = *files;
  std::vector<Plan> loaded;
  if (!load_plans_to_check(loading, loaded)) {
    return fail(fmt::format("{} plan(s) in {} do not load (see above); an audit needs every one",
                            files->size() - loaded.size(), wanted.plans_dir));
  }
  std::vector<AuditedPlan> plans;
  std::map<std::string, std::string> paths_by_name;
  for (const Plan& plan : loaded) {
    auto [it, fresh] = paths_by_name.emplace(plan.name, plan.path);
    if (!fresh) {
      return fail(
          fmt::format("{} and {} are both plan '{}': records name their plan, so an "
                      "audit needs each name once",
                      it->second, plan.path, plan.name));
    }
    plans.push_back(AuditedPlan{plan.name, plan.path, plan.sha256, plan.schedule});
  }

  auto store = open_store_of(options, StoreOpening::existing_only);
  if (!store) return fail(store.error().message);
  auto audit = audit_drills(plans, **store, *since, until, now);
  if (!audit) return fail(audit.error().message);

  std::string text = wanted.format == "json"   ? json_text(audit_json(*audit), 2) + "\n"
                     : wanted.format == "html" ? audit_html(*audit)
                                               : audit_markdown(*audit);
  text = redact(text);
  if (wanted.output.empty()) {
    std::fputs(text.c_str(), stdout);
  } else if (Status written = write_file_atomically(wanted.output, text); !written) {
    return fail(written.error().with_context("-o " + wanted.output).message);
  }
  return audit->clean() ? 0 : kExitFindings;
}

}  // namespace faultline

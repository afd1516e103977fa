// The record store at scale: with FAULTLINE_BENCH_RECORDS records (default 100,000) in
// it, how long `faultline records verify`, `records list --plan X` and `faultline audit`
// take through the real binary, on SQLite and on a PostgreSQL 15 the bench starts itself
// (as user postgres, on 127.0.0.1, in a temp dir); and records/s for write (one durable
// append per record, as drills append), verify and list.
//
//   build/bench/records_bench                       # both backends, 100,000 records
//   FAULTLINE_BENCH_RECORDS=10000 FAULTLINE_BENCH_BACKENDS=sqlite build/bench/records_bench
//
// Each record is a copy of a real drill's record (run through the binary first), with
// its id, plan (one of 10) and start (every 5 minutes from 2025-01-01) changed.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "reports/store/ledger_entries.h"
#include "runner/core/time.h"
#include "tests/support/postgres_server.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

constexpr int kPlans = 10;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

// A real drill's record: run through the binary into `location`.
Json real_record(const TempDir& dir, const std::string& location) {
  std::string plan = dir.write(
      "template.yaml",
      fast_plan("template", "  - {name: noop, type: exec, at: 0s, params: {inject: [\"true\"]}}\n",
                kAlwaysPasses, "objectives: {rto: 5s, availability: 90%}\n"));
  std::string home = dir.file("home");
  CliRun run = run_drill_cli({"run", plan, "-q", "--store", location}, home);
  REQUIRE(run.exit_code == 0);
  for (const auto& file : std::filesystem::directory_iterator(home + "/records")) {
    if (file.path().extension() == ".json") return Json::parse(text_of(file.path().string()));
  }
  FAIL("the drill left no record");
  return {};
}

struct Timed {
  CliRun run;
  double seconds;
};

Timed timed_cli(const std::vector<std::string>& args) {
  auto start = Clock::now();
  CliRun run = run_cli_env(args, "", {}, Millis(600000));
  return {run, seconds_since(start)};
}

void bench_backend(const std::string& backend, int count) {
  TempDir dir;
  std::unique_ptr<PostgresServer> server;
  // FAULTLINE_BENCH_KEEP=DIR keeps the SQLite store there (DIR/records.db), to look at.
  std::string kept = env_or("FAULTLINE_BENCH_KEEP", "");
  std::string location = kept.empty() ? dir.file("records.db") : kept + "/records.db";
  if (backend == "postgresql") {
    // Durable, as a real shared store is (the test suite's servers run with fsync off).
    server = std::make_unique<PostgresServer>(PostgresFsync::on);
    location = server->fresh_database();
  }
  Json record = real_record(dir, location);
  auto opened = open_record_store(location, StoreOpening::existing_only);
  REQUIRE(opened.ok());
  RecordStore& store = **opened;

  WallTime first = *parse_utc_time("2025-01-01");
  auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    std::string plan = fmt::format("plan-{}", i % kPlans);
    std::string started = utc_iso8601(first + std::chrono::minutes(5) * i);
    record["id"] = fmt::format("{}-{}-{:06}", started.substr(0, 19), plan, i);
    record["plan"]["name"] = plan;
    record["started_at"] = started;
    record["verdict"] = i % 50 == 7 ? "failed" : "passed";
    auto appended = store.append(record_entry(record), "");
    REQUIRE(appended.ok());
  }
  double write = seconds_since(start);
  std::printf(
      "%-10s write   %d records in %.2f s: %.0f records/s (one durable append each; "
      "record body %zu bytes)\n",
      backend.c_str(), count, write, count / write, json_text(record).size());

  Timed verify = timed_cli({"records", "verify", "--store", location});
  INFO(verify.run.out << verify.run.err);
  CHECK(verify.run.exit_code == 0);
  std::printf("%-10s verify  %d entries in %.2f s: %.0f records/s (faultline records verify)\n",
              backend.c_str(), count + 1, verify.seconds, (count + 1) / verify.seconds);

  Timed list = timed_cli({"records", "list", "--plan", "plan-3", "--store", location});
  CHECK(list.run.exit_code == 0);
  int listed = count / kPlans + (count % kPlans > 3 ? 1 : 0);
  CHECK(mentions(list.run.out, fmt::format("{} drill record(s)", listed)));
  std::printf(
      "%-10s list    %d of %d records in %.2f s: %.0f records/s (records list --plan "
      "plan-3)\n",
      backend.c_str(), listed, count + 1, list.seconds, listed / list.seconds);

  std::string plans = kept.empty() || backend != "sqlite" ? dir.file("plans") : kept + "/plans";
  std::filesystem::create_directories(plans);
  for (int k = 0; k < kPlans; ++k) {
    std::ofstream(fmt::format("{}/plan-{}.yaml", plans, k))
        << fast_plan(fmt::format("plan-{}", k),
                     "  - {name: noop, type: exec, at: 0s, params: {inject: [\"true\"]}}\n",
                     kAlwaysPasses, "schedule: {cron: \"0 * * * *\", timezone: Europe/Berlin}\n");
  }
  std::string until = utc_iso8601(first + std::chrono::minutes(5) * count);
  std::vector<std::string> audit_args = {"audit",   "--since", "2025-01-01", "--until", until,
                                         "--plans", plans,     "--store",    location};
  Timed markdown = timed_cli(audit_args);
  INFO(markdown.run.err);
  CHECK((markdown.run.exit_code == 0 || markdown.run.exit_code == 1));
  std::string json_path = dir.file("audit.json");
  audit_args.insert(audit_args.end(), {"--format", "json", "-o", json_path});
  Timed json = timed_cli(audit_args);
  CHECK(json.run.exit_code == markdown.run.exit_code);
  Json result = Json::parse(text_of(json_path), nullptr, false);
  REQUIRE_FALSE(result.is_discarded());
  int due = 0, executed = 0;
  for (const auto& plan : result["plans"]) {
    due += plan["due"].get<int>();
    executed += plan["executed"].get<int>();
  }
  CHECK(executed == count);
  std::printf(
      "%-10s audit   %d plans, %d due times, %d drills: %.2f s as Markdown, %.2f s as "
      "JSON (%zu bytes) (faultline audit, hourly schedules)\n",
      backend.c_str(), kPlans, due, executed, markdown.seconds, json.seconds,
      text_of(json_path).size());
}

}  // namespace

TEST_CASE("records bench: write, verify, list and audit with many records in the store") {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each figure as soon as it is measured
  int count = std::stoi(env_or("FAULTLINE_BENCH_RECORDS", "100000"));
  std::string backends = env_or("FAULTLINE_BENCH_BACKENDS", "sqlite,postgresql");
  for (const std::string backend : {"sqlite", "postgresql"}) {
    if (backends.find(backend) == std::string::npos) continue;
    if (backend == "postgresql" && !postgres_unavailable().empty()) {
      std::printf("postgresql skipped: %s\n", postgres_unavailable().c_str());
      continue;
    }
    bench_backend(backend, count);
  }
}

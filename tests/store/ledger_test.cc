// The record store and its ledger, run against each backend (see store_fixture.h): what
// is appended reads back chained and in order, queries select what they say, and
// `records verify` names each kind of tampering and exits 1.
#include <fmt/format.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "reports/store/ledger_entries.h"
#include "tests/store/store_fixture.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// Five records: plans web and db, one failed, a day apart from 2026-11-01.
void append_five(RecordStore& store, const std::string& key = "", int64_t first_seq = 1) {
  for (int i = 1; i <= 5; ++i) {
    std::string plan = i % 2 ? "web" : "db";
    std::string verdict = i == 3 ? "failed" : "passed";
    std::string id = fmt::format("2026110{}T100000Z-{}-00000{}", i, plan, i);
    Json record = sample_record(id, plan, verdict, fmt::format("2026-11-0{}T10:00:00.000Z", i));
    auto appended = store.append(record_entry(record), key);
    INFO((appended ? "" : appended.error().message));
    REQUIRE(appended.ok());
    CHECK(appended->seq == first_seq + i - 1);
  }
}

CliRun records_cli(const TestStore& store, std::vector<std::string> args,
                   const std::map<std::string, std::string>& env = {}) {
  args.insert(args.begin(), {"records"});
  args.insert(args.end(), {"--store", store.location()});
  return run_cli_env(args, "", env);
}

std::vector<std::string> ids_of(RecordStore& store, const EntryQuery& query) {
  std::vector<std::string> ids;
  REQUIRE(store
              .scan(query,
                    [&](const LedgerEntry& entry) {
                      ids.push_back(entry.subject);
                      return true;
                    })
              .ok());
  return ids;
}

}  // namespace

TEST_CASE("appended records read back in order, each chained to the one before") {
  TempDir dir;
  TestStore test_store(dir);
  auto store = test_store.open();
  append_five(*store);

  auto entries = all_entries(*store);
  REQUIRE(entries.size() == 5);
  CHECK(entries[0].prev_hash == kGenesisHash);
  for (size_t i = 0; i < entries.size(); ++i) {
    CHECK(entries[i].seq == static_cast<int64_t>(i + 1));
    CHECK(entries[i].hash == entry_hash(entries[i]));
    if (i > 0) CHECK(entries[i].prev_hash == entries[i - 1].hash);
    CHECK(entries[i].mac.empty());
  }
  CHECK(entry_body(entries[2])["verdict"] == "failed");
  CHECK(*store->count() == 5);

  auto verified = verify_ledger(*store, {});
  REQUIRE(verified.ok());
  CHECK(verified->ok());
  CHECK(verified->entries == 5);
  CHECK(verified->head == entries[4].hash);

  EntryQuery web = EntryQuery::about("record");
  web.plan = "web";
  CHECK(ids_of(*store, web).size() == 3);
  EntryQuery failed = EntryQuery::about("record");
  failed.verdict = "failed";
  CHECK(ids_of(*store, failed) == std::vector<std::string>{"20261103T100000Z-web-000003"});
  EntryQuery window = EntryQuery::about("record");
  window.since = "2026-11-02T00:00:00.000Z";
  window.until = "2026-11-04T00:00:00.000Z";
  window.with_bodies = false;
  CHECK(ids_of(*store, window) ==
        std::vector<std::string>{"20261102T100000Z-db-000002", "20261103T100000Z-web-000003"});

  // A second handle sees the same ledger and continues its chain.
  auto again = test_store.open();
  auto sixth = again->append(
      record_entry(sample_record("r6", "web", "passed", "2026-11-06T10:00:00.000Z")), "");
  REQUIRE(sixth.ok());
  CHECK(sixth->seq == 6);
  CHECK(sixth->prev_hash == entries[4].hash);
}

TEST_CASE("records list, show and verify read the store from the command line") {
  TempDir dir;
  TestStore test_store(dir);
  append_five(*test_store.open());

  CliRun list = records_cli(
      test_store, {"list", "--plan", "web", "--since", "2026-11-02", "--until", "2026-11-05"});
  INFO(list.out << list.err);
  CHECK(list.exit_code == 0);
  CHECK_FALSE(mentions(list.out, "20261101T100000Z-web-000001"));
  CHECK(mentions(list.out, "20261103T100000Z-web-000003  failed"));
  // --until with a date includes that day.
  CHECK(mentions(list.out, "20261105T100000Z-web-000005"));
  CHECK(mentions(list.out, "rto 7s/5s missed · availability 95.50%/90.00% met"));
  CHECK(mentions(list.out, "2 drill record(s)"));

  CliRun json = records_cli(test_store, {"list", "--verdict", "failed", "--json"});
  Json listed = Json::parse(json.out);
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["id"] == "20261103T100000Z-web-000003");
  CHECK(listed[0]["summary"]["objectives"]["rto"]["achieved_ms"] == 7000);

  CliRun show = records_cli(test_store, {"show", "20261104T"});
  INFO(show.out << show.err);
  CHECK(show.exit_code == 0);
  CHECK(mentions(show.out, "drill 20261104T100000Z-db-000004"));
  CHECK(mentions(show.out, "rto           target 5s         achieved 1.2s"));
  CHECK(mentions(show.out, "ledger: entry 4 · hash "));

  CliRun ambiguous = records_cli(test_store, {"show", "2026110"});
  CHECK(ambiguous.exit_code == 2);
  CHECK(mentions(ambiguous.err, "names more than one drill record"));
  CliRun unknown = records_cli(test_store, {"show", "nope"});
  CHECK(unknown.exit_code == 2);
  CHECK(mentions(unknown.err, "no drill record 'nope'"));

  CliRun verify = records_cli(test_store, {"verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 0);
  CHECK(mentions(verify.out, "ledger ok: 5 entries, chain intact"));
}

TEST_CASE(
    "verify names an edited record, an edited entry, and deleted, reordered and inserted "
    "entries") {
  TempDir dir;
  TestStore test_store(dir);
  auto store = test_store.open();
  append_five(*store);
  auto entries = all_entries(*store);
  std::string expected;

  SECTION("a record's content edited") {
    test_store.sql(
        "UPDATE ledger SET body = replace(body, '\"failed\"', '\"passed\"') "
        "WHERE seq = 3");
    expected =
        "entry 3 (record 20261103T100000Z-web-000003) was edited: its content does not "
        "match its hash";
  }
  SECTION("an entry's column edited") {
    test_store.sql("UPDATE ledger SET verdict = 'passed' WHERE seq = 3");
    expected =
        "entry 3 (record 20261103T100000Z-web-000003) was edited: its fields do not "
        "match its hash";
  }
  SECTION("an entry deleted") {
    test_store.sql("DELETE FROM ledger WHERE seq = 3");
    expected = "entry 3 is missing: it was deleted";
  }
  SECTION("an entry deleted and the rest renumbered") {
    test_store.sql(
        "DELETE FROM ledger WHERE seq = 3; UPDATE ledger SET seq = seq - 1 "
        "WHERE seq > 3");
    expected =
        "entry 3 (record 20261104T100000Z-db-000004) follows an entry that is not in the "
        "ledger";
  }
  SECTION("two entries swapped") {
    test_store.sql(
        "DROP INDEX ledger_chain; UPDATE ledger SET seq = 100 WHERE seq = 2; "
        "UPDATE ledger SET seq = 2 WHERE seq = 3; UPDATE ledger SET seq = 3 "
        "WHERE seq = 100");
    expected =
        "entry 2 (record 20261103T100000Z-web-000003) follows entry 3 in the chain but is "
        "stored before it: the entries were reordered";
  }
  SECTION("an entry inserted with a valid hash of its own") {
    LedgerEntry forged = entries[2];
    forged.seq = 3;
    forged.subject = "20261102T110000Z-db-forged";
    forged.body =
        json_text(sample_record(forged.subject, "db", "passed", "2026-11-02T11:00:00.000Z"));
    seal_entry(forged, entries[1].hash, "");
    test_store.sql(
        "DROP INDEX ledger_chain; UPDATE ledger SET seq = seq + 100 WHERE seq >= 3; "
        "UPDATE ledger SET seq = seq - 99 WHERE seq >= 100");
    test_store.sql(fmt::format(
        "INSERT INTO ledger VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        forged.seq, sql_literal(forged.kind), sql_literal(forged.subject), sql_literal(forged.plan),
        sql_literal(forged.verdict), sql_literal(forged.started_at),
        sql_literal(forged.appended_at), sql_literal(forged.summary), sql_literal(forged.body),
        sql_literal(forged.body_sha256), sql_literal(forged.prev_hash), sql_literal(forged.hash),
        sql_literal(forged.mac)));
    expected =
        "entry 4 (record 20261103T100000Z-web-000003) follows entry 2 in the chain: what "
        "is stored between them (entries 3 to 3) was inserted or moved there";
  }

  auto verified = verify_ledger(*test_store.open(), {});
  REQUIRE(verified.ok());
  CHECK_FALSE(verified->ok());
  std::string all;
  for (const auto& problem : verified->problems) all += problem.what + "\n";
  INFO(all);
  CHECK(mentions(all, expected));

  CliRun verify = records_cli(test_store, {"verify"});
  INFO(verify.out << verify.err);
  CHECK(verify.exit_code == 1);
  CHECK(mentions(verify.out, "TAMPERED: " + expected));
  CHECK(mentions(verify.out, "ledger NOT intact"));
}

TEST_CASE("a signed ledger: a rewritten chain is caught by its key, or by a head noted earlier") {
  TempDir dir;
  TestStore test_store(dir);
  const std::string key = "correct horse battery staple";
  append_five(*test_store.open(), key);
  std::string key_file = dir.write("ledger.key", key + "\n");

  CliRun clean = records_cli(test_store, {"verify", "--key-file", key_file});
  INFO(clean.out << clean.err);
  CHECK(clean.exit_code == 0);
  CHECK(mentions(clean.out, "signatures checked"));
  std::string head = all_entries(*test_store.open()).back().hash;
  CHECK(mentions(clean.out, "head " + head));
  // The key is in no entry.
  CHECK(test_store.sql("SELECT count(*) FROM ledger WHERE body LIKE '%battery%' OR "
                       "mac LIKE '%battery%'") == "0\n");

  // Someone without the key edits record 3 and recomputes every hash after it.
  auto entries = all_entries(*test_store.open());
  entries[2].body =
      json_text(sample_record(entries[2].subject, "web", "passed", entries[2].started_at));
  entries[2].verdict = "passed";
  std::string updates = "DROP INDEX ledger_chain;";
  for (size_t i = 2; i < entries.size(); ++i) {
    seal_entry(entries[i], entries[i - 1].hash, "");
    entries[i].mac = std::string(64, '0');  // a signature they cannot compute
    updates += update_row_sql(entries[i]);
  }
  test_store.sql(updates);

  // The chain itself is consistent again: only the key, or the noted head, shows it.
  CliRun no_key = records_cli(test_store, {"verify"});
  CHECK(no_key.exit_code == 0);
  CHECK(mentions(no_key.out, "signed entries not checked (no ledger key given)"));

  CliRun with_key = records_cli(test_store, {"verify"}, {{"FAULTLINE_LEDGER_KEY", key}});
  INFO(with_key.out << with_key.err);
  CHECK(with_key.exit_code == 1);
  CHECK(mentions(with_key.out,
                 "TAMPERED: entry 3 (record 20261103T100000Z-web-000003) has a "
                 "signature that does not match"));
  CHECK_FALSE(mentions(with_key.out + with_key.err, "battery"));

  CliRun with_head = records_cli(test_store, {"verify", "--head", head});
  CHECK(with_head.exit_code == 1);
  CHECK(mentions(with_head.out, "no entry has the hash " + head));

  // An entry appended without the key is named when the key is checked.
  append_five(*test_store.open(), "", 6);
  CliRun unsigned_entry = records_cli(test_store, {"verify", "--key-file", key_file});
  CHECK(mentions(unsigned_entry.out,
                 "entry 6 (record 20261101T100000Z-web-000001) is not "
                 "signed"));
}

TEST_CASE("appenders on many connections at once lose nothing and fork no chain") {
  TempDir dir;
  TestStore test_store(dir);
  test_store.open();  // created before the race, as a first drill would
  constexpr int kThreads = 6, kEach = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto store = open_record_store(test_store.location(), StoreOpening::create_if_missing);
      if (!store) return void(failures += kEach);
      for (int i = 0; i < kEach; ++i) {
        std::string id = fmt::format("t{}-{}", t, i);
        auto appended = (*store)->append(
            record_entry(sample_record(id, "race", "passed", "2026-11-01T00:00:00.000Z")), "");
        if (!appended) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
  auto store = test_store.open();
  auto entries = all_entries(*store);
  CHECK(entries.size() == kThreads * kEach);
  std::set<std::string> ids;
  for (const auto& entry : entries) ids.insert(entry.subject);
  CHECK(ids.size() == kThreads * kEach);
  auto verified = verify_ledger(*store, {});
  REQUIRE(verified.ok());
  CHECK(verified->ok());
}

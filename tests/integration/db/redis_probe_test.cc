// The Redis fixture and the redis probe against real servers on loopback.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "runner/os/local_target.h"
#include "tests/integration/db/redis_cluster.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// Configures a redis probe the way the plan loader would (schema defaults included).
Result<std::unique_ptr<Probe>> configure(Json params) {
  const ProbeType* type = builtin_registry().probe_type("redis");
  REQUIRE(type != nullptr);
  for (const auto& spec : type->schema().params) {
    if (!params.contains(spec.name) && !spec.default_value.is_null())
      params[spec.name] = spec.default_value;
  }
  return type->configure(Params(params));
}

ProbeOutcome check(Json params) {
  auto probe = configure(std::move(params));
  REQUIRE(probe.ok());
  auto target = make_local_target();
  return (*probe)->check(*target);
}

std::vector<std::string> sentinel_list(const RedisCluster& cluster) {
  std::vector<std::string> out;
  std::string all = cluster.sentinels();
  for (size_t at = 0; at < all.size();) {
    size_t comma = all.find(',', at);
    if (comma == std::string::npos) comma = all.size();
    out.push_back(all.substr(at, comma - at));
    at = comma + 1;
  }
  return out;
}

bool alive(pid_t pid) { return ::kill(pid, 0) == 0; }

}  // namespace

TEST_CASE(
    "the Redis fixture brings up a master, a linked replica and three Sentinels, and its "
    "SIGTERM teardown leaves no server running") {
  TempDir dir;
  RedisCluster cluster(dir);
  std::cout << "redis fixture bring-up (3 Sentinels): " << cluster.bring_up().count() << " ms\n";
  CHECK(cluster.replication(cluster.master_port(), "role") == "master");
  CHECK(cluster.replication(cluster.master_port(), "connected_slaves") == "1");
  CHECK(cluster.replication(cluster.replica_port(), "role") == "slave");
  CHECK(cluster.replication(cluster.replica_port(), "master_link_status") == "up");
  auto sentinels = sentinel_list(cluster);
  REQUIRE(sentinels.size() == 3);
  std::vector<pid_t> pids = cluster.server_pids();
  CHECK(pids.size() == 5);
  for (pid_t pid : pids) CHECK(alive(pid));

  CHECK(cluster.stop());
  for (pid_t pid : pids) CHECK_FALSE(alive(pid));
  CHECK_FALSE(std::filesystem::exists(cluster.dir() + "/ready"));
}

TEST_CASE("the redis probe checks a reply at an address or at the master Sentinel names") {
  TempDir dir;
  RedisCluster cluster(dir);
  std::string master = "127.0.0.1:" + std::to_string(cluster.master_port());
  std::string replica = "127.0.0.1:" + std::to_string(cluster.replica_port());

  ProbeOutcome ping = check({{"address", master}});
  CHECK(ping.ok);
  CHECK(ping.detail == "PONG from " + master);
  CHECK(check({{"address", replica}, {"expect", "PONG"}}).ok);

  // A write to the replica is refused by Redis itself: an error reply fails the probe.
  ProbeOutcome readonly = check({{"address", replica}, {"command", {"SET", "k", "v"}}});
  CHECK_FALSE(readonly.ok);
  CHECK(mentions(readonly.detail, "(error) READONLY"));

  ProbeOutcome mismatch =
      check({{"address", master}, {"command", {"INCR", "n"}}, {"expect", "OK"}});
  CHECK_FALSE(mismatch.ok);
  CHECK(mismatch.detail == "expected 'OK', got '(integer) 1' from " + master);

  ProbeOutcome via = check(
      {{"sentinels", sentinel_list(cluster)}, {"command", {"SET", "k", "v"}}, {"expect", "OK"}});
  CHECK(via.ok);
  CHECK(via.detail == "OK from " + master);

  // A dead Sentinel first in the list is skipped for the next one.
  std::vector<std::string> with_dead = {"127.0.0.1:" + std::to_string(free_port())};
  for (const auto& sentinel : sentinel_list(cluster)) with_dead.push_back(sentinel);
  CHECK(check({{"sentinels", with_dead}}).ok);

  ProbeOutcome unknown = check({{"sentinels", sentinel_list(cluster)}, {"master_name", "other"}});
  CHECK_FALSE(unknown.ok);
  CHECK(mentions(unknown.detail, "does not know master 'other'"));
}

TEST_CASE("the redis probe fails fast on a refused connection and within its timeout on silence") {
  TempDir dir;
  int closed = free_port();
  ProbeOutcome refused = check({{"address", "127.0.0.1:" + std::to_string(closed)}});
  CHECK_FALSE(refused.ok);
  CHECK(refused.detail == "redis 127.0.0.1:" + std::to_string(closed) + ": connection refused");

  int silent_port = free_port();
  auto silent = start_silent_listener(silent_port, dir);
  auto started = std::chrono::steady_clock::now();
  ProbeOutcome silence =
      check({{"address", "127.0.0.1:" + std::to_string(silent_port)}, {"timeout", 300}});
  auto took = std::chrono::duration_cast<Millis>(std::chrono::steady_clock::now() - started);
  CHECK_FALSE(silence.ok);
  CHECK(silence.detail ==
        "redis 127.0.0.1:" + std::to_string(silent_port) + ": no answer within 300ms");
  CHECK(took >= Millis(290));
  CHECK(took < Millis(1000));
}

TEST_CASE("the redis probe refuses parameters it cannot use, naming the parameter") {
  auto both = configure({{"address", "127.0.0.1:1"}, {"sentinels", {"127.0.0.1:2"}}});
  REQUIRE_FALSE(both.ok());
  CHECK(both.error().message == "give exactly one of address and sentinels");
  auto neither = configure(Json::object());
  REQUIRE_FALSE(neither.ok());
  CHECK(neither.error().field == "address");
  auto port = configure({{"address", "127.0.0.1:99999"}});
  REQUIRE_FALSE(port.ok());
  CHECK(port.error().message == "'127.0.0.1:99999' is not host:port (port 1-65535)");
  CHECK(port.error().field == "address");
  auto sentinel = configure({{"sentinels", {"nohost"}}});
  REQUIRE_FALSE(sentinel.ok());
  CHECK(sentinel.error().field == "sentinels");
  CHECK(configure({{"address", "[::1]:6379"}}).ok());
}

TEST_CASE(
    "a Redis password given through ${env:...} reaches Redis but never the record, the log or "
    "a probe's detail") {
  TempDir dir;
  const std::string password = "s3cret-redis-pass-8142";
  RedisCluster cluster(dir, {0, password});
  std::string master = "127.0.0.1:" + std::to_string(cluster.master_port());

  ProbeOutcome wrong = check({{"address", master}, {"password", "not-the-password"}});
  CHECK_FALSE(wrong.ok);
  CHECK(mentions(wrong.detail, "AUTH refused"));
  CHECK_FALSE(mentions(wrong.detail, "not-the-password"));
  ProbeOutcome none = check({{"address", master}});
  CHECK_FALSE(none.ok);
  CHECK(mentions(none.detail, "NOAUTH"));

  std::string plan = fast_plan(
      "redis-password",
      "  - {name: flag, type: exec, at: 100ms, params: {inject: \"true\", rollback: \"true\"}}\n",
      "    - {name: write, redis: {address: \"" + master +
          "\", password: \"${env:REDIS_PW}\", command: [SET, k, v], expect: OK}}\n");
  std::string records = dir.file("records");
  CliRun run = run_cli_env({"run", dir.write("plan.yaml", plan), "--records", records},
                           dir.file("home"), {{"REDIS_PW", password}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  Json record = only_record(records);
  CHECK(record["probes"][0]["summary"]["failed"] == 0);
  CHECK_FALSE(mentions(record.dump(), password));
  CHECK(mentions(record.dump(), "[secret]"));
  CHECK_FALSE(mentions(run.out + run.err, password));
}

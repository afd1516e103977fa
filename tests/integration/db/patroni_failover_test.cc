// scenarios/patroni-failover.yaml against a real Patroni pair with etcd on loopback.
#include <signal.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "runner/os/journal.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// The pids and shared memory the fixture's files name, whether or not they still run.
struct ClusterLeftovers {
  std::vector<pid_t> pids;
  std::vector<std::string> shm_ids;
};

ClusterLeftovers leftovers_named_in(const std::string& dir) {
  ClusterLeftovers found;
  for (const char* file : {"serve.pid", "node1.pid", "node2.pid", "etcd.pid",
                           "node1/data/postmaster.pid", "node2/data/postmaster.pid"}) {
    std::string text = text_of(dir + "/" + file);
    if (!text.empty()) found.pids.push_back(std::stoi(text));
  }
  for (const char* file : {"node1/data/postmaster.pid", "node2/data/postmaster.pid"}) {
    std::istringstream lines(text_of(dir + "/" + file));
    std::string line;
    for (int n = 1; std::getline(lines, line); ++n) {
      if (n != 7) continue;
      std::istringstream words(line);
      std::string key, id;
      if (words >> key >> id) found.shm_ids.push_back(id);
    }
  }
  return found;
}

// Alive and one of ours (not a pid reused by something else since).
bool still_ours(pid_t pid) {
  std::string comm = text_of("/proc/" + std::to_string(pid) + "/comm");
  return comm.rfind("patroni", 0) == 0 || comm.rfind("etcd", 0) == 0 ||
         comm.rfind("postgres", 0) == 0;
}

bool shm_exists(const std::string& id) {
  return mentions(text_of("/proc/sysvipc/shm"), " " + id + " ");
}

}  // namespace

TEST_CASE(
    "scenarios/patroni-failover.yaml brings up Patroni with etcd, Patroni fails over within "
    "the RTO after the leader crashes, and nothing is left running") {
  TempDir dir;
  // PostgreSQL runs as the postgres user, which must be able to reach the cluster folder.
  REQUIRE(::chmod(dir.path().c_str(), 0711) == 0);
  std::string records = dir.file("records");
  std::string cluster_dir = dir.file("cluster");
  std::vector<std::string> args = {
      "run",   source_path("scenarios/patroni-failover.yaml"),  "--records", records,
      "--var", "FIXTURES=" + source_path("scenarios/fixtures"), "--var",     "DIR=" + cluster_dir};
  for (const char* var : {"PG_1", "PG_2", "API_1", "API_2", "ETCD_CLIENT", "ETCD_PEER"}) {
    args.push_back("--var");
    args.push_back(std::string(var) + "=" + std::to_string(free_port()));
  }
  auto started = std::chrono::steady_clock::now();
  CliRun run = run_drill_cli(args, dir.file("home"), Millis(200000));
  double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  INFO(run.out << run.err << text_of(cluster_dir + "/node2.log"));
  // Whatever happened, no process of this cluster, nor its shared memory, may survive.
  ClusterLeftovers left = leftovers_named_in(cluster_dir);
  CHECK(left.pids.size() >= 3);
  for (pid_t pid : left.pids) {
    bool alive = ::kill(pid, 0) == 0 && still_ours(pid);
    CHECK_FALSE(alive);
    if (alive) ::kill(pid, SIGKILL);
  }
  for (const auto& id : left.shm_ids) CHECK_FALSE(shm_exists(id));

  REQUIRE(run.exit_code == 0);
  Json record = only_record(records);
  Json rto = record["measurements"]["rto_ms"];
  REQUIRE(rto.is_number());
  // The application's writes (the ledger, synchronous mode): none acknowledged is lost.
  const Json& ledger = record["workload"]["ledger_measurement"];
  std::cout << "patroni scenario: rto " << rto.get<double>() << " ms, rpo "
            << record["measurements"]["rpo_ms"] << " ms (" << ledger["acknowledged"]
            << " acknowledged, " << ledger["lost"] << " lost), whole drill " << took << " s\n";
  CHECK(ledger["acknowledged"].get<int64_t>() > 200);
  CHECK(ledger["lost"] == 0);
  CHECK(record["objectives"]["rpo"]["status"] == "met");
  // The leader key has to expire first (ttl 5 s, of which up to loop_wait 1 s has passed).
  CHECK(rto.get<double>() > 3000);
  CHECK(rto.get<double>() < 15000);
  CHECK(record["faults"][0]["processes"][0]["name"] == "patroni");
  CHECK(record["faults"][1]["processes"][0]["name"] == "postgres");
  CHECK(list_journals(dir.file("home") + "/journal").empty());
}

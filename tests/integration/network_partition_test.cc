// network.partition inside two network namespaces the test makes (never the host's own
// rules): real traffic is cut while the fault is in force, and no nftables table is left
// after a rollback, SIGINT, SIGTERM, or a SIGKILL followed by `faultline recover`.
#include <signal.h>

#include <catch2/catch.hpp>

#include "tests/support/netns.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

const int kPortB = 18480;  // inside namespace B only
const int kPortA = 18481;  // inside namespace A only

// python3's http.server on host:port inside `ns`, once it accepts from `client_ns`.
std::unique_ptr<OwnedProcess> serve(const NetnsPair& pair, const std::string& ns,
                                    const std::string& host, int port, const std::string& client_ns,
                                    const TempDir& dir) {
  auto server = std::make_unique<OwnedProcess>(
      Command{
          NetnsPair::in(ns, {"python3", "-m", "http.server", "--bind", host, std::to_string(port)}),
          dir.path()},
      dir.file("server-" + ns + ".log"));
  REQUIRE(eventually([&] { return NetnsPair::connects(client_ns, host, port); }, Millis(10000)));
  (void)pair;
  return server;
}

std::string partition_plan(const std::string& name, const std::string& params,
                           const std::string& duration) {
  return "version: 1\nname: " + name +
         "\n"
         "steady_state:\n  interval: 100ms\n  baseline_rounds: 2\n  recovered_after: 2\n"
         "  probes:\n"
         "    - {name: a-to-b, tcp: {host: " +
         NetnsPair::kAddressB + ", port: " + std::to_string(kPortB) +
         ", timeout: 200ms}}\n"
         "faults:\n"
         "  - {name: cut, type: network.partition, at: 300ms, " +
         duration + "params: " + params +
         "}\n"
         "recovery: {timeout: 10s}\n";
}

CliRun run_in(const std::string& ns, const std::vector<std::string>& args, const std::string& home,
              const std::map<std::string, std::string>& env = {}) {
  Command command = NetnsPair::faultline(ns, args, home);
  for (const auto& [key, value] : env) command.env[key] = value;
  auto ran = run_command(command, Millis(60000));
  REQUIRE(ran.ok());
  return CliRun{ran->exit_code, ran->out, ran->err};
}

// `faultline run PLAN` in namespace A, in the background, once its table exists.
std::unique_ptr<OwnedProcess> start_until_table(const NetnsPair& pair, const std::string& plan,
                                                const TempDir& dir) {
  auto runner = std::make_unique<OwnedProcess>(
      NetnsPair::faultline(pair.a(), {"run", plan, "--records", dir.file("records")},
                           dir.file("home")),
      dir.file("runner.log"));
  REQUIRE(eventually([&] { return mentions(NetnsPair::nft_tables(pair.a()), "faultline_"); },
                     Millis(15000)));
  return runner;
}

// The failing samples of `probe` taken while fault 0 was in force, and those taken after
// its rollback's last nft command had ended.
std::pair<int, int> failing_during_and_after(const Json& record, size_t probe) {
  double injected = record["faults"][0]["injected_at_ms"];
  double undone = record["faults"][0]["steps"].back()["ended_ms"];
  int during = 0, after = 0;
  for (const auto& sample : record["probes"][probe]["samples"]) {
    double started = sample["started_ms"], ended = sample["t_ms"];
    if (sample["ok"].get<bool>()) continue;
    if (started > injected + 50 && ended < record["faults"][0]["rolled_back_at_ms"]) ++during;
    if (started > undone) ++after;
  }
  return {during, after};
}

}  // namespace

TEST_CASE("a two-way partition cuts real traffic both ways and leaves no table after rollback") {
  NetnsPair pair;
  if (!pair.available()) return skip_test(pair.problem());
  TempDir dir;
  auto server_b = serve(pair, pair.b(), NetnsPair::kAddressB, kPortB, pair.a(), dir);
  auto server_a = serve(pair, pair.a(), NetnsPair::kAddressA, kPortA, pair.b(), dir);
  std::string plan = dir.write(
      "plan.yaml", partition_plan("partition-both", "{from: [198.18.77.1], to: [198.18.77.2]}",
                                  "duration: 3s, "));
  auto runner = start_until_table(pair, plan, dir);
  // Dropped both ways: from A to B, and from B (outside the runner) to A.
  CHECK_FALSE(NetnsPair::connects(pair.a(), NetnsPair::kAddressB, kPortB));
  CHECK_FALSE(NetnsPair::connects(pair.b(), NetnsPair::kAddressA, kPortA));
  int status = runner->wait(Millis(30000));
  INFO(text_of(dir.file("runner.log")));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  Json record = only_record(dir.file("records"));
  CHECK(record["faults"][0]["rollback"]["outcome"] == "undone");
  CHECK(mentions(record["faults"][0]["what"], "drop 198.18.77.1 -> 198.18.77.2, both ways"));
  auto [during, after] = failing_during_and_after(record, 0);
  CHECK(during >= 3);
  CHECK(after == 0);
  CHECK_FALSE(mentions(NetnsPair::nft_tables(pair.a()), "faultline_"));
  CHECK(NetnsPair::connects(pair.a(), NetnsPair::kAddressB, kPortB));
  CHECK(NetnsPair::connects(pair.b(), NetnsPair::kAddressA, kPortA));
}

TEST_CASE("a one-way partition on a port rejects that port and leaves the other direction up") {
  NetnsPair pair;
  if (!pair.available()) return skip_test(pair.problem());
  TempDir dir;
  auto server_b = serve(pair, pair.b(), NetnsPair::kAddressB, kPortB, pair.a(), dir);
  auto server_a = serve(pair, pair.a(), NetnsPair::kAddressA, kPortA, pair.b(), dir);
  std::string plan = dir.write(
      "plan.yaml", partition_plan("partition-one-way",
                                  "{from: [198.18.77.1], to: [198.18.77.2], ports: [\"" +
                                      std::to_string(kPortB) +
                                      "\"], protocol: tcp, direction: one-way, action: reject}",
                                  "duration: 60s, "));
  // Held until the test looks, then stopped with SIGINT (rolled back, exit 3).
  auto runner = start_until_table(pair, plan, dir);
  CHECK_FALSE(NetnsPair::connects(pair.a(), NetnsPair::kAddressB, kPortB));
  CHECK(NetnsPair::connects(pair.b(), NetnsPair::kAddressA, kPortA));
  // The rules print what was parsed, not what the plan typed.
  CHECK(mentions(
      run_command(Command{NetnsPair::in(pair.a(), {"nft", "list", "ruleset"})}, Millis(5000))->out,
      "ip saddr 198.18.77.1 ip daddr 198.18.77.2 tcp dport 18480 reject"));
  ::kill(runner->pid(), SIGINT);
  int status = runner->wait(Millis(15000));
  INFO(text_of(dir.file("runner.log")));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
  CHECK_FALSE(mentions(NetnsPair::nft_tables(pair.a()), "faultline_"));
  CHECK(NetnsPair::connects(pair.a(), NetnsPair::kAddressB, kPortB));
}

TEST_CASE("SIGTERM mid-partition rolls back, and after a SIGKILL recover deletes the table") {
  NetnsPair pair;
  if (!pair.available()) return skip_test(pair.problem());
  TempDir dir;
  auto server_b = serve(pair, pair.b(), NetnsPair::kAddressB, kPortB, pair.a(), dir);
  std::string plan = dir.write(
      "plan.yaml", partition_plan("partition-signals",
                                  "{from: [198.18.77.1], to: [198.18.77.2], action: reject}",
                                  "duration: 60s, "));
  for (int signal : {SIGTERM, SIGKILL}) {
    INFO("signal " << signal);
    auto runner = start_until_table(pair, plan, dir);
    CHECK_FALSE(NetnsPair::connects(pair.a(), NetnsPair::kAddressB, kPortB));
    ::kill(runner->pid(), signal);
    int status = runner->wait(Millis(15000));
    if (signal == SIGTERM) {
      CHECK(WEXITSTATUS(status) == 3);
      CHECK_FALSE(mentions(NetnsPair::nft_tables(pair.a()), "faultline_"));
      continue;
    }
    CHECK(WIFSIGNALED(status));
    CHECK(mentions(NetnsPair::nft_tables(pair.a()), "faultline_"));
    CliRun recover = run_in(pair.a(), {"recover"}, dir.file("home"));
    INFO(recover.out << recover.err);
    CHECK(recover.exit_code == 0);
    CHECK(mentions(recover.out, "undid fault/cut"));
    CHECK_FALSE(mentions(NetnsPair::nft_tables(pair.a()), "faultline_"));
    CHECK(NetnsPair::connects(pair.a(), NetnsPair::kAddressB, kPortB));
    // Idempotent: nothing is left to do.
    CHECK(run_in(pair.a(), {"recover"}, dir.file("home")).exit_code == 0);
  }
}

TEST_CASE("preflight refuses a partition that would cut the SSH session the drill runs from") {
  NetnsPair pair;
  if (!pair.available()) return skip_test(pair.problem());
  TempDir dir;
  std::string plan = dir.write(
      "plan.yaml", partition_plan("partition-ssh", "{from: [198.18.77.1], to: [198.18.77.0/30]}",
                                  "duration: 1s, "));
  CliRun run = run_in(pair.a(), {"run", plan, "--records", dir.file("records")}, dir.file("home"),
                      {{"SSH_CONNECTION", "198.18.77.2 50022 198.18.77.1 22"}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 3);
  CHECK(mentions(run.out + run.err, "would cut the SSH session the drill runs from"));
  CHECK_FALSE(mentions(NetnsPair::nft_tables(pair.a()), "faultline_"));
}

TEST_CASE(
    "two partition drills at once: each has its own table, and rolling one back leaves the "
    "other's rules") {
  NetnsPair pair;
  if (!pair.available()) return skip_test(pair.problem());
  TempDir dir;
  const int kPortB2 = 18482;  // inside namespace B only
  auto first_server = serve(pair, pair.b(), NetnsPair::kAddressB, kPortB, pair.a(), dir);
  auto second_server = serve(pair, pair.b(), NetnsPair::kAddressB, kPortB2, pair.a(), dir);
  // Each drill cuts one port of B and probes that port (so the other's cut does not
  // spoil its baseline).
  auto plan_cutting = [&](const std::string& name, int port) {
    std::string text = partition_plan(name,
                                      "{from: [198.18.77.1], to: [198.18.77.2], ports: [\"" +
                                          std::to_string(port) +
                                          "\"], protocol: tcp, direction: one-way, action: reject}",
                                      "duration: 60s, ");
    std::string probed = "port: " + std::to_string(kPortB) + ",";
    text.replace(text.find(probed), probed.size(), "port: " + std::to_string(port) + ",");
    return dir.write(name + ".yaml", text);
  };
  auto tables = [&] {
    std::string listed = NetnsPair::nft_tables(pair.a());
    int count = 0;
    for (size_t at = listed.find("faultline_"); at != std::string::npos;
         at = listed.find("faultline_", at + 1))
      ++count;
    return std::make_pair(count, listed);
  };
  auto start = [&](const std::string& plan, const std::string& log, int tables_then) {
    auto runner = std::make_unique<OwnedProcess>(
        NetnsPair::faultline(pair.a(), {"run", plan, "--records", dir.file("records")},
                             dir.file("home")),
        dir.file(log));
    REQUIRE(eventually([&] { return tables().first == tables_then; }, Millis(15000)));
    return runner;
  };
  auto first = start(plan_cutting("partition-first", kPortB), "first.log", 1);
  auto second = start(plan_cutting("partition-second", kPortB2), "second.log", 2);
  CHECK(mentions(tables().second, "partition_first"));
  CHECK(mentions(tables().second, "partition_second"));
  CHECK_FALSE(NetnsPair::connects(pair.a(), NetnsPair::kAddressB, kPortB));
  CHECK_FALSE(NetnsPair::connects(pair.a(), NetnsPair::kAddressB, kPortB2));

  ::kill(first->pid(), SIGINT);
  int status = first->wait(Millis(15000));
  INFO(text_of(dir.file("first.log")));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 3);
  auto [left, listed] = tables();
  CHECK(left == 1);
  CHECK(mentions(listed, "partition_second"));
  CHECK(NetnsPair::connects(pair.a(), NetnsPair::kAddressB, kPortB));
  CHECK_FALSE(NetnsPair::connects(pair.a(), NetnsPair::kAddressB, kPortB2));

  ::kill(second->pid(), SIGINT);
  status = second->wait(Millis(15000));
  INFO(text_of(dir.file("second.log")));
  CHECK(WEXITSTATUS(status) == 3);
  CHECK(tables().first == 0);
  CHECK(NetnsPair::connects(pair.a(), NetnsPair::kAddressB, kPortB2));
  // Both journals are settled: recover finds nothing to do.
  CliRun recover = run_in(pair.a(), {"recover"}, dir.file("home"));
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 0);
}

// `faultline recover` against journals it did not expect: broken lines, drills that
// ended with something left over, secrets it was never given.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

#include "runner/os/files.h"
#include "runner/os/journal.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// A journal line announcing an exec fault whose rollback touches `file`.
std::string exec_intent(const std::string& key, const std::string& file) {
  return json_text(Json{{"op", "intent"},
                        {"key", key},
                        {"type", "exec"},
                        {"target", "local"},
                        {"what", "touch " + file},
                        {"rollback", {{"command", {"touch", file}}, {"timeout_ms", 5000}}},
                        {"at", "2026-01-01T00:00:00.000Z"}}) +
         "\n";
}

std::string open_line(const std::string& drill, const std::string& records) {
  return json_text(Json{{"op", "open"},
                        {"drill", drill},
                        {"runner_pid", 999999},
                        {"info", {{"records_dir", records}}}}) +
         "\n";
}

mode_t mode_of(const std::string& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode & 0777;
}

}  // namespace

TEST_CASE(
    "broken lines in one journal are each reported by line number, the other journals "
    "are still recovered, and exit 4 keeps the broken journal") {
  TempDir dir;
  std::string journals = dir.file("home/journal");
  REQUIRE(make_directories(journals, 0700).ok());
  std::string broken = dir.write("home/journal/a-broken.jsonl",
                                 open_line("a-broken", dir.file("records")) +  // line 1
                                     "not json at all\n" +                     // line 2
                                     "{\"op\":\"intent\",\"key\":7,\"type\":\"exec\"}\n" +      // 3
                                     exec_intent("fault/readable", dir.file("undone-a")) +      // 4
                                     "{\"op\":\"done\",\"key\":\"fault/readable\",\"ok\":tr");  // 5
  std::string whole =
      dir.write("home/journal/b-whole.jsonl", open_line("b-whole", dir.file("records")) +
                                                  exec_intent("fault/other", dir.file("undone-b")));

  CliRun recover = run_cli({"recover"}, dir.file("home"));
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 4);
  CHECK(recover.out.find("journal " + broken + " line 5: cut off a torn last line") !=
        std::string::npos);
  CHECK(recover.out.find("problem: journal " + broken +
                         " line 2: not a JSON object (a torn or edited line?)") !=
        std::string::npos);
  CHECK(recover.out.find("problem: journal " + broken + " line 3: 'key' must be a string, not 7") !=
        std::string::npos);
  // What could be read was undone, in both journals.
  CHECK(std::filesystem::exists(dir.file("undone-a")));
  CHECK(std::filesystem::exists(dir.file("undone-b")));
  CHECK(recover.out.find("drill b-whole: undid fault/other") != std::string::npos);
  // The whole journal is done with; the broken one stays for a person to look at.
  CHECK_FALSE(std::filesystem::exists(whole));
  CHECK(std::filesystem::exists(broken));
  CHECK(recover.out.find("journal " + broken + ": kept, because 2 line(s) could not be read") !=
        std::string::npos);
  CHECK(recover.out.find("faultline recover: 2 problem(s)") != std::string::npos);
  Json record = read_json(dir.file("records/a-broken.json"));
  CHECK(record["journal"]["problems"].size() == 2);

  // Run again: nothing is undone twice, and the unreadable lines still fail it.
  std::filesystem::remove(dir.file("undone-a"));
  CliRun again = run_cli({"recover"}, dir.file("home"));
  CHECK(again.exit_code == 4);
  CHECK(again.out.find("undid") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("undone-a")));
}

TEST_CASE("recover shows a failing rollback's secret as [secret] without being given it") {
  TempDir dir;
  std::string secret = "Hunter2-" + std::to_string(getpid()) + "-value";
  std::string plan = fast_plan(
      "secret-rollback",
      "  - {name: flag, type: exec, at: 0s, params: {inject: [\"true\"], rollback: [\"sh\", "
      "\"-c\", \"echo failing with $$1 >&2; exit 1\", \"x\", \"${env:FL_SECRET}\"]}}\n");
  std::string path = dir.write("plan.yaml", plan);
  CliRun run = run_cli_env({"run", path, "--records", dir.file("records")}, dir.file("home"),
                           {{"FL_SECRET", secret}, {"FAULTLINE_LOCK_DIR", dir.file("locks")}});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 4);
  CHECK(run.out.find(secret) == std::string::npos);
  auto journals = list_journals(dir.file("home/journal"));
  REQUIRE(journals.size() == 1);
  CHECK(mode_of(journals[0]) == 0600);  // it holds the secret, for recover to redact
  CHECK(mode_of(dir.file("home/journal")) == 0700);

  // recover's environment has no FL_SECRET: it learns the value from the journal.
  CliRun recover = run_cli({"recover"}, dir.file("home"));
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 4);
  CHECK(recover.out.find("FAILED to undo fault/flag") != std::string::npos);
  CHECK(recover.out.find("rollback command sh -c 'echo failing with $1 >&2; exit 1' x [secret] "
                         "exited 1: failing with [secret]") != std::string::npos);
  CHECK(recover.out.find(secret) == std::string::npos);
  CHECK(recover.out.find(secret.substr(0, 6)) == std::string::npos);
  CHECK(recover.err.find(secret) == std::string::npos);
  for (const auto& entry : std::filesystem::directory_iterator(dir.file("records"))) {
    CHECK_FALSE(file_contains(entry.path().string(), secret));
  }
}

TEST_CASE(
    "recover keeps the record of a drill that ended with exit 4, and writes its own "
    "beside it") {
  TempDir dir;
  std::string flag = dir.file("flag");
  std::string gate = dir.file("rollback-may-run");
  std::string plan = fast_plan(
      "left-faulted", "  - {name: flag, type: exec, at: 0s, params: {inject: \"touch " + flag +
                          "\", rollback: \"test -e " + gate + " && rm " + flag + "\"}}\n");
  CliRun run = run_cli_env({"run", dir.write("plan.yaml", plan), "--records", dir.file("records"),
                            "--junit", dir.file("junit.xml")},
                           dir.file("home"), {{"FAULTLINE_LOCK_DIR", dir.file("locks")}});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 4);
  Json drill = only_record(dir.file("records"));
  std::string id = drill["id"];
  std::string junit = *read_file(dir.file("junit.xml"));

  dir.write("rollback-may-run", "");
  CliRun recover = run_cli({"recover"}, dir.file("home"));
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(flag));
  CHECK(recover.out.find("drill " + id + ": wrote record " + dir.file("records/" + id) +
                         "-recovery.json (verdict recovered)") != std::string::npos);
  // The runner's own record, with its measurements and verdict, is as the runner left it.
  Json kept = read_json(dir.file("records/" + id + ".json"));
  CHECK(kept == drill);
  CHECK(kept["verdict"] == "rollback_failed");
  CHECK(*read_file(dir.file("junit.xml")) == junit);
  Json recovery = read_json(dir.file("records/" + id + "-recovery.json"));
  CHECK(recovery["id"] == id + "-recovery");
  CHECK(recovery["verdict"] == "recovered");
  CHECK(recovery["reason"].get<std::string>().find("the drill ended with verdict rollback_failed "
                                                   "(exit 4, see record " +
                                                   id + ")") != std::string::npos);
  CHECK(recovery["recovery"][0]["key"] == "fault/flag");
  CHECK(recovery["recovery"][0]["outcome"] == "undone");
  CHECK(list_journals(dir.file("home/journal")).empty());
}

TEST_CASE("a drill killed with SIGKILL still gets an interrupted record from recover") {
  TempDir dir;
  OwnedProcess victim(Command({"sleep", "300"}), dir.file("victim.log"));
  std::string pidfile = dir.write("victim.pid", std::to_string(victim.pid()));
  std::string plan = fast_plan(
      "killed",
      "  - {name: freeze, type: process.pause, at: 0s, duration: 60s, target: {pidfile: " +
          pidfile + "}}\n");
  auto runner = start_cli({"--home", dir.file("home"), "run", dir.write("plan.yaml", plan),
                           "--records", dir.file("records")},
                          dir.file("runner.log"), {{"FAULTLINE_LOCK_DIR", dir.file("locks")}});
  REQUIRE(eventually([&] { return list_journals(dir.file("home/journal")).size() == 1; },
                     Millis(10000)));
  REQUIRE(eventually(
      [&] { return file_contains(list_journals(dir.file("home/journal"))[0], "fault/freeze"); },
      Millis(10000)));
  kill(runner->pid(), SIGKILL);
  REQUIRE(runner->wait(Millis(5000)) != -1);
  CliRun recover = run_cli({"recover"}, dir.file("home"));
  INFO(recover.out);
  CHECK(recover.exit_code == 0);
  Json record = only_record(dir.file("records"));
  CHECK(record["verdict"] == "interrupted");
  CHECK(record["id"].get<std::string>().find("-recovery") == std::string::npos);
}

TEST_CASE("a service's log is private to the user running the drill") {
  TempDir dir;
  std::string plan = fast_plan(
      "service-log", "  - {name: noop, type: exec, at: 0s, params: {inject: [\"true\"]}}\n",
      kAlwaysPasses,
      "services:\n  talker:\n    command: \"echo token=${env:FL_SECRET}; exec sleep "
      "300\"\n");
  CliRun run = run_cli_env(
      {"run", dir.write("plan.yaml", plan), "--records", dir.file("records")}, dir.file("home"),
      {{"FL_SECRET", "service-secret-value"}, {"FAULTLINE_LOCK_DIR", dir.file("locks")}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  std::string id = only_record(dir.file("records"))["id"];
  std::string log = dir.file("home/logs/" + id + "/talker.log");
  REQUIRE(file_contains(log, "token=service-secret-value"));
  CHECK(mode_of(log) == 0600);
  CHECK(mode_of(dir.file("home/logs/" + id)) == 0700);
}

TEST_CASE("appends from the engine and a restarting service never tear a journal line") {
  TempDir dir;
  std::string armed = dir.file("armed");
  // Once armed, the service exits at once and is restarted every 10 ms while the faults
  // below journal their own lines; the last rollback fails, so the journal is kept.
  std::string faults = "  - {name: arm, type: exec, at: 0s, params: {inject: \"touch " + armed +
                       "\"}}\n"
                       "  - {name: crash, type: process.kill, at: 50ms, target: {service: "
                       "flapper}}\n";
  for (int i = 0; i < 30; ++i) {
    faults += "  - {name: step" + std::to_string(i) +
              ", type: exec, at: " + std::to_string(100 + 30 * i) +
              "ms, params: {inject: [\"true\"], rollback: [\"true\"]}}\n";
  }
  faults +=
      "  - {name: stuck, type: exec, at: 1100ms, params: {inject: [\"true\"], rollback: "
      "[\"false\"]}}\n";
  std::string plan = fast_plan("journal-threads", faults, kAlwaysPasses,
                               "services:\n  flapper:\n    command: \"test -e " + armed +
                                   " && exit 0; exec sleep 300\"\n    restart: {policy: always, "
                                   "delay: 10ms}\n");
  CliRun run = run_cli_env({"run", dir.write("plan.yaml", plan), "--records", dir.file("records")},
                           dir.file("home"), {{"FAULTLINE_LOCK_DIR", dir.file("locks")}});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 4);
  auto journals = list_journals(dir.file("home/journal"));
  REQUIRE(journals.size() == 1);
  std::istringstream lines(*read_file(journals[0]));
  int parsed = 0, service_lines = 0, fault_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    Json entry = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    INFO("line " << parsed + 1 << ": " << line);
    REQUIRE(entry.is_object());
    ++parsed;
    std::string key = entry.value("key", "");
    if (key.rfind("service/flapper/", 0) == 0) ++service_lines;
    if (key.rfind("fault/step", 0) == 0) ++fault_lines;
  }
  CHECK(service_lines >= 20);  // many restarts, each an intent and a done
  CHECK(fault_lines >= 60);
  CHECK(parse_journal(journals[0], *read_file(journals[0])).problems.empty());
  CHECK(only_record(dir.file("records"))["counters"]["service_restarts"].get<int>() >= 10);
}

TEST_CASE(
    "recover follows no symbolic link in the journal folder and trusts no other user's "
    "journal") {
  TempDir dir;
  REQUIRE(make_directories(dir.file("home/journal"), 0700).ok());
  // A link to a file whose last line is unfinished: "repairing" it would cut that line.
  std::string victim = dir.write("victim.txt", "first line\nlast line, no newline");
  std::string link = dir.file("home/journal/link.jsonl");
  std::filesystem::create_symlink(victim, link);
  std::string planted =
      dir.write("home/journal/planted.jsonl", open_line("planted", dir.file("records")) +
                                                  exec_intent("fault/x", dir.file("ran-as-root")));
  bool other_user = geteuid() == 0;
  if (other_user) REQUIRE(chown(planted.c_str(), 65534, 65534) == 0);

  CliRun recover = run_cli({"recover"}, dir.file("home"));
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 4);
  CHECK(recover.out.find("journal " + link + " is a symbolic link") != std::string::npos);
  CHECK(*read_file(victim) == "first line\nlast line, no newline");
  if (other_user) {
    CHECK(recover.out.find("journal " + planted + " is not a regular file of uid 0") !=
          std::string::npos);
    CHECK_FALSE(std::filesystem::exists(dir.file("ran-as-root")));
    CHECK(std::filesystem::exists(planted));
  }
}

TEST_CASE("a broken journal line quoting a secret shows none of it, even cut off") {
  TempDir dir;
  std::string secret = "Vx7Qm" + std::to_string(getpid()) + "-journal-secret";
  REQUIRE(make_directories(dir.file("home/journal"), 0700).ok());
  // The quoted value is cut at 60 bytes: the secret starts at byte 51 of it.
  dir.write("home/journal/quoting.jsonl",
            open_line("quoting", dir.file("records")) +
                json_text(Json{{"op", "secrets"}, {"values", {secret}}}) + "\n" +
                json_text(Json{{"op", "finished"},
                               {"verdict", "rollback_failed"},
                               {"exit_code", std::string(50, 'y') + secret}}) +
                "\n");
  CliRun recover = run_cli({"recover"}, dir.file("home"));
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 4);
  CHECK(recover.out.find("line 3: 'exit_code' must be an integer, not \"yyy") != std::string::npos);
  CHECK(recover.out.find(secret.substr(0, 3)) == std::string::npos);
}

// Target locks keep two drills off one target: one drill's SIGCONT would end the other's
// freeze early. Every target here is a process the test started.
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <thread>

#include "runner/core/sha256.h"
#include "runner/os/files.h"
#include "runner/os/journal.h"
#include "runner/os/process.h"
#include "tests/support/skip.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

std::string pause_plan(const std::string& name, const std::string& target,
                       const std::string& duration) {
  return fast_plan(name, "  - {name: freeze, type: process.pause, at: 0s, duration: " + duration +
                             ", target: " + target + "}\n");
}

std::vector<std::string> run_args(const std::string& home, const std::string& plan,
                                  const std::string& records) {
  return {"--home", home, "run", plan, "--records", records};
}

int exit_code_of(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

}  // namespace

// This one uses the default lock folder (/run/faultline/locks as root): the point is that
// drills with different homes see each other's locks without being told where they are.
TEST_CASE(
    "a second drill on a paused target is refused, naming the holder, and the pause "
    "lasts its full duration") {
  TempDir dir;
  OwnedProcess victim(Command({"sleep", "300"}), dir.file("victim.log"));
  std::string pidfile = dir.write("victim.pid", std::to_string(victim.pid()) + "\n");
  std::string plan_name = "lock-holder-" + std::to_string(getpid());
  auto holder = start_cli(
      run_args(dir.file("home-a"),
               dir.write("a.yaml", pause_plan(plan_name, "{pidfile: " + pidfile + "}", "3s")),
               dir.file("records-a")),
      dir.file("holder.log"));
  REQUIRE(eventually([&] { return process_state(victim.pid()) == 'T'; }, Millis(10000)));
  MonoTime paused_at = MonoClock::now();

  CliRun second = run_cli(
      {"run", dir.write("b.yaml", pause_plan("intruder", "{pidfile: " + pidfile + "}", "500ms")),
       "--records", dir.file("records-b")},
      dir.file("home-b"));
  INFO(second.out << second.err);
  CHECK(second.exit_code == 3);
  CHECK(second.out.find("preflight: fault 'freeze' (process.pause) target pidfile " + pidfile +
                        ": pidfile " + pidfile + " is locked by drill ") != std::string::npos);
  CHECK(second.out.find("(plan " + plan_name + ", runner pid " + std::to_string(holder->pid()) +
                        ", since ") != std::string::npos);
  CHECK(only_record(dir.file("records-b"))["counters"]["faults_injected"] == 0);

  // The intruder never touched it: still paused, until the holder's own rollback.
  CHECK(process_state(victim.pid()) == 'T');
  REQUIRE(eventually([&] { return process_state(victim.pid()) != 'T'; }, Millis(10000)));
  CHECK(MonoClock::now() - paused_at >= Millis(2800));
  int status = holder->wait(Millis(20000));
  INFO(*read_file(dir.file("holder.log")));
  CHECK(exit_code_of(status) == 0);
  Json record = only_record(dir.file("records-a"));
  CHECK(second.out.find("is locked by drill " + record["id"].get<std::string>()) !=
        std::string::npos);
  const Json& fault = record["faults"][0];
  CHECK(fault["rolled_back_at_ms"].get<double>() - fault["injected_at_ms"].get<double>() >= 3000.0);
}

TEST_CASE("a target named by pidfile and by process name is one target to the locks") {
  TempDir dir;
  std::map<std::string, std::string> env{{"FAULTLINE_LOCK_DIR", dir.file("locks")}};
  std::string name = "fl-lock-" + std::to_string(getpid());
  OwnedProcess victim(Command({sleep_named(dir, name), "300"}), dir.file("victim.log"));
  std::string pidfile = dir.write("victim.pid", std::to_string(victim.pid()) + "\n");
  auto holder = start_cli(
      run_args(dir.file("home-a"),
               dir.write("a.yaml", pause_plan("by-pidfile", "{pidfile: " + pidfile + "}", "2s")),
               dir.file("records-a")),
      dir.file("holder.log"), env);
  REQUIRE(eventually([&] { return process_state(victim.pid()) == 'T'; }, Millis(10000)));

  std::string by_name = dir.write("b.yaml", pause_plan("by-name", "{process: " + name + "}", "1s"));
  CliRun dry = run_cli_env({"run", by_name, "--dry-run"}, dir.file("home-b"), env);
  CHECK(dry.exit_code == 3);
  CHECK(dry.out.find("pid " + std::to_string(victim.pid()) + " (" + name) != std::string::npos);
  CHECK(dry.out.find("is locked by drill ") != std::string::npos);

  CliRun second =
      run_cli_env({"run", by_name, "--records", dir.file("records-b")}, dir.file("home-b"), env);
  INFO(second.out << second.err);
  CHECK(second.exit_code == 3);
  CHECK(second.out.find("target process " + name + ": pid " + std::to_string(victim.pid()) + " (" +
                        name) != std::string::npos);
  CHECK(second.out.find("is locked by drill ") != std::string::npos);
  CHECK(process_state(victim.pid()) == 'T');
  CHECK(exit_code_of(holder->wait(Millis(20000))) == 0);
}

TEST_CASE(
    "a lock left by a SIGKILLed runner is taken over after recover, and the record "
    "says so") {
  TempDir dir;
  std::map<std::string, std::string> env{{"FAULTLINE_LOCK_DIR", dir.file("locks")}};
  OwnedProcess victim(Command({"sleep", "300"}), dir.file("victim.log"));
  std::string pidfile = dir.write("victim.pid", std::to_string(victim.pid()) + "\n");
  std::string plan =
      dir.write("plan.yaml", pause_plan("killed-holder", "{pidfile: " + pidfile + "}", "60s"));
  auto killed = start_cli(run_args(dir.file("home"), plan, dir.file("records-a")),
                          dir.file("killed.log"), env);
  REQUIRE(eventually([&] { return process_state(victim.pid()) == 'T'; }, Millis(10000)));
  pid_t dead_runner = killed->pid();
  kill(killed->pid(), SIGKILL);
  REQUIRE(killed->wait(Millis(5000)) != -1);

  CliRun recover = run_cli_env({"recover"}, dir.file("home"), env);
  INFO(recover.out);
  CHECK(recover.exit_code == 0);
  CHECK(process_state(victim.pid()) != 'T');

  CliRun next = run_cli_env(
      {"run", dir.write("next.yaml", pause_plan("next", "{pidfile: " + pidfile + "}", "200ms")),
       "--records", dir.file("records-b")},
      dir.file("home"), env);
  INFO(next.out << next.err);
  CHECK(next.exit_code == 0);
  Json record = only_record(dir.file("records-b"));
  std::string notes = record["notes"].dump();
  CHECK(notes.find("took over the lock on pidfile " + pidfile + " left by drill ") !=
        std::string::npos);
  CHECK(notes.find("(plan killed-holder, runner pid " + std::to_string(dead_runner)) !=
        std::string::npos);
  CHECK(notes.find("whose runner is gone") != std::string::npos);
  CHECK(record["faults"][0]["rollback"]["ok"] == true);
  CHECK(process_state(victim.pid()) != 'T');
}

TEST_CASE("two drills on different targets run at once and both pass") {
  TempDir dir;
  std::map<std::string, std::string> env{{"FAULTLINE_LOCK_DIR", dir.file("locks")}};
  OwnedProcess first(Command({"sleep", "300"}), dir.file("first.log"));
  OwnedProcess second(Command({"sleep", "300"}), dir.file("second.log"));
  std::string first_pidfile = dir.write("first.pid", std::to_string(first.pid()));
  std::string second_pidfile = dir.write("second.pid", std::to_string(second.pid()));
  auto drill_a = start_cli(
      run_args(dir.file("home-a"),
               dir.write("a.yaml", pause_plan("a", "{pidfile: " + first_pidfile + "}", "1s")),
               dir.file("records-a")),
      dir.file("a.log"), env);
  auto drill_b = start_cli(
      run_args(dir.file("home-b"),
               dir.write("b.yaml", pause_plan("b", "{pidfile: " + second_pidfile + "}", "1s")),
               dir.file("records-b")),
      dir.file("b.log"), env);
  // Both targets are paused at the same moment: the drills really overlap.
  CHECK(eventually(
      [&] { return process_state(first.pid()) == 'T' && process_state(second.pid()) == 'T'; },
      Millis(10000)));
  int status_a = drill_a->wait(Millis(20000));
  int status_b = drill_b->wait(Millis(20000));
  INFO(*read_file(dir.file("a.log")) << *read_file(dir.file("b.log")));
  CHECK(exit_code_of(status_a) == 0);
  CHECK(exit_code_of(status_b) == 0);
  CHECK(only_record(dir.file("records-a"))["verdict"] == "passed");
  CHECK(only_record(dir.file("records-b"))["verdict"] == "passed");
  CHECK(process_state(first.pid()) != 'T');
  CHECK(process_state(second.pid()) != 'T');
}

TEST_CASE("a link planted where a lock file goes is not followed, and the drill stops") {
  TempDir dir;
  REQUIRE(make_directories(dir.file("locks"), 0700).ok());
  OwnedProcess victim(Command({"sleep", "300"}), dir.file("victim.log"));
  std::string pidfile = dir.write("victim.pid", std::to_string(victim.pid()) + "\n");
  // Where the drill will lock its pidfile target (target_locks.cc's naming).
  std::string key = "pidfile/" + pidfile;
  std::string readable;
  for (char c : key.substr(0, 60))
    readable += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  std::string lock = dir.file("locks/" + readable + "-" + sha256_hex(key).substr(0, 16) + ".lock");
  std::string precious = dir.write("precious.txt", "do not truncate me\n");
  std::filesystem::create_symlink(precious, lock);

  CliRun run = run_cli_env(
      {"run", dir.write("plan.yaml", pause_plan("planted", "{pidfile: " + pidfile + "}", "1s")),
       "--records", dir.file("records")},
      dir.file("home"), {{"FAULTLINE_LOCK_DIR", dir.file("locks")}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 3);
  CHECK(run.out.find("cannot open lock " + lock + ": Too many levels of symbolic links") !=
        std::string::npos);
  CHECK(*read_file(precious) == "do not truncate me\n");
  CHECK(only_record(dir.file("records"))["counters"]["faults_injected"] == 0);
}

TEST_CASE("a lock folder that belongs to another user is refused") {
  if (geteuid() != 0) {
    skip_test("giving a folder to another user needs root");
    return;
  }
  TempDir dir;
  REQUIRE(make_directories(dir.file("locks"), 0700).ok());
  REQUIRE(chown(dir.file("locks").c_str(), 65534, 65534) == 0);
  OwnedProcess victim(Command({"sleep", "300"}), dir.file("victim.log"));
  std::string pidfile = dir.write("victim.pid", std::to_string(victim.pid()) + "\n");
  CliRun run = run_cli_env(
      {"run", dir.write("plan.yaml", pause_plan("foreign", "{pidfile: " + pidfile + "}", "1s")),
       "--records", dir.file("records")},
      dir.file("home"), {{"FAULTLINE_LOCK_DIR", dir.file("locks")}});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 3);
  CHECK(run.out.find("lock folder " + dir.file("locks") +
                     " is not a folder of uid 0 that only it can write") != std::string::npos);
  CHECK(process_state(victim.pid()) != 'T');
}

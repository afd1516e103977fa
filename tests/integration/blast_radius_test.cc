// The blast radius through the real binary. Every drill here is a --dry-run, which
// never sends a signal: a broken guard fails the test instead of pausing pid 1, the
// test itself or another user's process.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "runner/os/files.h"
#include "runner/os/process.h"
#include "tests/support/skip.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

std::string pause_plan(const std::string& name, const std::string& target) {
  return fast_plan(name, "  - {name: freeze, type: process.pause, at: 0s, duration: 1s, target: " +
                             target + "}\n");
}

// A dry run of `plan` with a private lock folder; checks it created nothing.
CliRun dry_run(const TempDir& dir, const std::string& plan,
               std::map<std::string, std::string> env = {}) {
  env["FAULTLINE_LOCK_DIR"] = dir.file("locks");
  CliRun run = run_cli_env(
      {"run", dir.write("plan.yaml", plan), "--dry-run", "--records", dir.file("records")},
      dir.file("home"), env);
  INFO(run.out << run.err);
  CHECK(run.out.find("dry run of plan") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.file("records")));
  CHECK_FALSE(std::filesystem::exists(dir.file("home")));
  CHECK_FALSE(std::filesystem::exists(dir.file("locks")));
  return run;
}

// The dry run's FAIL line for the fault's target.
std::string fail_line(const CliRun& run) {
  size_t at = run.out.find("FAIL fault 'freeze' (process.pause) target");
  REQUIRE(at != std::string::npos);
  return run.out.substr(at, run.out.find('\n', at) - at);
}

}  // namespace

TEST_CASE("a dry run refuses a pidfile naming pid 1 and exits 3") {
  TempDir dir;
  std::string pidfile = dir.write("init.pid", "1\n");
  CliRun run = dry_run(dir, pause_plan("pid-one", "{pidfile: " + pidfile + "}"));
  CHECK(run.exit_code == 3);
  CHECK(run.out.find("preflight   FAILS: the drill would not start") != std::string::npos);
  std::string line = fail_line(run);
  CHECK(line.find("refused: pid 1 (") != std::string::npos);
  CHECK(line.find("is pid 1 (init): never a fault target") != std::string::npos);
}

TEST_CASE("a dry run refuses a pidfile naming the test process, an ancestor of the runner") {
  TempDir dir;
  std::string pidfile = dir.write("self.pid", std::to_string(getpid()) + "\n");
  CliRun run = dry_run(dir, pause_plan("ancestor", "{pidfile: " + pidfile + "}"));
  CHECK(run.exit_code == 3);
  std::string line = fail_line(run);
  CHECK(line.find("refused: pid " + std::to_string(getpid()) + " (") != std::string::npos);
  CHECK(line.find("is an ancestor of the faultline runner") != std::string::npos);
}

TEST_CASE("a dry run refuses kthreadd, a kernel thread") {
  auto kthreadd = identify_process(2);
  auto info = kthreadd.ok() ? describe_process(*kthreadd) : Result<ProcessInfo>(kthreadd.error());
  if (!info.ok() || info->name != "kthreadd") {
    skip_test("pid 2 is not kthreadd on this machine (a container?)");
    return;
  }
  TempDir dir;
  CliRun run = dry_run(dir, pause_plan("kernel-thread", "{process: kthreadd}"));
  CHECK(run.exit_code == 3);
  CHECK(fail_line(run).find("refused: pid 2 (kthreadd, user root) is a kernel thread: never a "
                            "fault target") != std::string::npos);
}

TEST_CASE("another user's process is refused without user:, and shown as theirs with it") {
  if (geteuid() != 0) {
    skip_test("starting a process as user nobody needs root");
    return;
  }
  TempDir dir;
  // setpriv execs sleep, so the pid is the sleep's, running as nobody.
  OwnedProcess other(
      Command({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sleep", "300"}),
      dir.file("nobody.log"));
  REQUIRE(eventually(
      [&] {
        auto described = describe_process(other.id());
        return described.ok() && described->user == "nobody" && described->name == "sleep";
      },
      Millis(5000)));
  std::string pidfile = dir.write("other.pid", std::to_string(other.pid()) + "\n");
  std::string who = "pid " + std::to_string(other.pid()) + " (sleep, user nobody, sleep 300)";

  CliRun refused = dry_run(dir, pause_plan("other-user", "{pidfile: " + pidfile + "}"));
  CHECK(refused.exit_code == 3);
  CHECK(fail_line(refused).find(
            who + " belongs to user nobody, not to the user running the drill; add "
                  "`user: nobody` to the fault's target to allow it") != std::string::npos);

  CliRun allowed =
      dry_run(dir, pause_plan("other-user", "{pidfile: " + pidfile + ", user: nobody}"));
  CHECK(allowed.exit_code == 0);
  CHECK(allowed.out.find("will act on " + who) != std::string::npos);
  CHECK(allowed.out.find("inject freeze (process.pause): SIGSTOP until rollback, then SIGCONT on "
                         "pidfile " +
                         pidfile + " of user nobody = " + who) != std::string::npos);
  // The dry run never signalled it.
  CHECK(process_state(other.pid()) != 'T');
}

TEST_CASE("all: true without max: is a validation error, exit 2") {
  TempDir dir;
  CliRun run = run_cli_env(
      {"run", dir.write("plan.yaml", pause_plan("unbounded", "{process: sleep, all: true}")),
       "--dry-run"},
      dir.file("home"), {{"FAULTLINE_LOCK_DIR", dir.file("locks")}});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("target: 'all: true' needs 'max: N'") != std::string::npos);
  CHECK(run.out.empty());
}

TEST_CASE("more matches than max: refuses the drill in the dry run, saying how many matched") {
  TempDir dir;
  std::string name = "fl-max-" + std::to_string(getpid());
  std::string program = sleep_named(dir, name);
  OwnedProcess first(Command({program, "300"}), dir.file("a.log"));
  OwnedProcess second(Command({program, "300"}), dir.file("b.log"));
  CliRun run = dry_run(dir, pause_plan("bounded", "{process: " + name + ", all: true, max: 1}"));
  CHECK(run.exit_code == 3);
  CHECK(fail_line(run).find("2 processes are named '" + name + "' on local (pids " +
                            std::to_string(std::min(first.pid(), second.pid())) + ", " +
                            std::to_string(std::max(first.pid(), second.pid())) +
                            "), more than the target's max: 1") != std::string::npos);
  CHECK(process_state(first.pid()) != 'T');
  CHECK(process_state(second.pid()) != 'T');
}

TEST_CASE("a dry run shows each fault's processes with pid, name, user and command line") {
  TempDir dir;
  std::string name = "fl-rad-" + std::to_string(getpid());
  std::string program = sleep_named(dir, name);
  OwnedProcess first(Command({program, "301"}), dir.file("a.log"));
  OwnedProcess second(Command({program, "302"}), dir.file("b.log"));
  OwnedProcess third(Command({"sleep", "303"}), dir.file("c.log"));
  std::string pidfile = dir.write("third.pid", std::to_string(third.pid()));
  std::string plan = fast_plan(
      "radius",
      "  - {name: both, type: process.pause, at: 0s, duration: 1s, target: {process: " + name +
          ", all: true, max: 2}}\n"
          "  - {name: one, type: process.kill, at: 2s, target: {pidfile: " +
          pidfile + "}}\n");
  CliRun run = dry_run(dir, plan);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("preflight   every check passes") != std::string::npos);
  std::string user = user_name(geteuid());
  auto shown = [&](const OwnedProcess& process, const std::string& process_name,
                   const std::string& command) {
    return "pid " + std::to_string(process.pid()) + " (" + process_name + ", user " + user + ", " +
           command + ")";
  };
  CHECK(run.out.find("inject both (process.pause): SIGSTOP until rollback, then SIGCONT on "
                     "process " +
                     name + " (all, at most 2) = " + shown(first, name, program + " 301") + "; " +
                     shown(second, name, program + " 302")) != std::string::npos);
  CHECK(run.out.find("inject one (process.kill): SIGKILL on pidfile " + pidfile + " = " +
                     shown(third, "sleep", "sleep 303")) != std::string::npos);
  for (const auto* process : {&first, &second, &third}) {
    CHECK(process_state(process->pid()) != 'T');
    CHECK(process_state(process->pid()) != '?');
  }
}

TEST_CASE("a pidfile that is garbage, a FIFO or /dev/zero fails the dry run at once") {
  TempDir dir;
  std::string fifo = dir.file("fifo.pid");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  struct Case {
    std::string pidfile;
    std::string says;
  };
  for (const Case& bad : {Case{dir.write("garbage.pid", "12abc\n"), "holds no pid"},
                          Case{dir.write("float.pid", "3.14\n"), "holds no pid"},
                          Case{fifo, "is a FIFO; expected a regular file"},
                          Case{"/dev/zero", "is a character device; expected a regular file"}}) {
    MonoTime started = MonoClock::now();
    CliRun run = dry_run(dir, pause_plan("bad-pidfile", "{pidfile: " + bad.pidfile + "}"));
    CHECK(MonoClock::now() - started < Millis(5000));
    CHECK(run.exit_code == 3);
    CHECK(fail_line(run).find(bad.says) != std::string::npos);
  }
}

TEST_CASE("a secret in a target's command line is not shown cut off in the dry run") {
  TempDir dir;
  std::string secret = "Tok3nValue-" + std::to_string(getpid());
  // "sh -c sleep 300; : " is 19 bytes: the secret starts at byte 190 of the command
  // line, across the 200-byte limit of what is shown.
  OwnedProcess target(Command({"sh", "-c", "sleep 300; :", std::string(170, 'p'), secret}),
                      dir.file("target.log"));
  std::string pidfile = dir.write("target.pid", std::to_string(target.pid()));
  std::string plan = fast_plan(
      "secret-argv",
      "  - {name: freeze, type: process.pause, at: 0s, duration: 1s, target: {pidfile: " + pidfile +
          "}}\n",
      "    - {name: token, exec: {command: [\"test\", \"${env:FL_SECRET}\"]}}\n");
  CliRun run = dry_run(dir, plan, {{"FL_SECRET", secret}});
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("will act on pid " + std::to_string(target.pid())) != std::string::npos);
  CHECK(run.out.find(secret.substr(0, 4)) == std::string::npos);
  CHECK(run.out.find("[secret]") != std::string::npos);
}

TEST_CASE("a pidfile naming a thread of the test process fails the dry run") {
  TempDir dir;
  WaitingThread thread;
  pid_t tid = thread.id();
  std::string pidfile = dir.write("thread.pid", std::to_string(tid) + "\n");
  CliRun run = dry_run(dir, pause_plan("thread", "{pidfile: " + pidfile + "}"));
  CHECK(run.exit_code == 3);
  CHECK(fail_line(run).find("pidfile " + pidfile + ": pid " + std::to_string(tid) +
                            " is a thread of process " + std::to_string(getpid())) !=
        std::string::npos);
}

TEST_CASE("a target's command line cannot add lines to the dry run") {
  TempDir dir;
  // A process that would make the dry run look like every check passes.
  std::string spoof = "\n  preflight   every check passes\n";
  OwnedProcess target(Command({"sh", "-c", "sleep 300; :", spoof}), dir.file("target.log"));
  std::string pidfile = dir.write("target.pid", std::to_string(target.pid()));
  CliRun run = dry_run(dir, pause_plan("spoof", "{pidfile: " + pidfile + "}"));
  CHECK(run.exit_code == 0);
  size_t count = 0;
  for (size_t at = run.out.find("\n  preflight   "); at != std::string::npos;
       at = run.out.find("\n  preflight   ", at + 1)) {
    ++count;
  }
  CHECK(count == 1);
  CHECK(run.out.find("sleep 300; :    preflight   every check passes ") != std::string::npos);
}

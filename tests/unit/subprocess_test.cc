// RunControl, the seam that lets a fault journal a step before it runs and SIGINT cut a
// step short (runner/os/subprocess.h).
#include "runner/os/subprocess.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "runner/os/files.h"
#include "runner/os/process.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

TEST_CASE("a child whose before_exec fails never runs its command") {
  TempDir dir;
  std::string flag = dir.file("ran");
  std::optional<ProcessId> seen;
  RunControl control;
  control.before_exec = [&](const ProcessId& leader) -> Status {
    seen = leader;
    return Error{ErrorCode::failed, "cannot journal the step"};
  };
  auto result = run_command(Command({"touch", flag}), Millis(5000), control);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error().message == "cannot journal the step");
  REQUIRE(seen.has_value());
  // The child existed (before_exec saw it) and is gone now, without having run.
  CHECK_FALSE(is_same_process_alive(*seen));
  std::this_thread::sleep_for(Millis(100));
  CHECK_FALSE(std::filesystem::exists(flag));
}

TEST_CASE("a child runs its command only after before_exec has returned") {
  TempDir dir;
  std::string flag = dir.file("ran");
  bool existed_during_before_exec = true;
  RunControl control;
  control.before_exec = [&](const ProcessId& leader) -> Status {
    // The child is in a process group of its own already, and waits for us.
    CHECK(getpgid(leader.pid) == leader.pid);
    std::this_thread::sleep_for(Millis(200));
    existed_during_before_exec = std::filesystem::exists(flag);
    return {};
  };
  auto result = run_command(Command({"touch", flag}), Millis(5000), control);
  REQUIRE(result.ok());
  CHECK(result->succeeded());
  CHECK_FALSE(existed_during_before_exec);
  CHECK(std::filesystem::exists(flag));
}

TEST_CASE("cancelling a command kills its whole process group promptly") {
  TempDir dir;
  std::string child_pid_file = dir.file("child.pid");
  auto asked = MonoClock::now() + Millis(300);
  RunControl control;
  control.cancelled = [&] { return MonoClock::now() >= asked; };
  // A shell that waits on a background child of its own: both must die.
  auto result =
      run_command(Command({"sh", "-c", "sleep 30 & echo $! > " + child_pid_file + "; wait"}),
                  Millis(60000), control);
  REQUIRE(result.ok());
  CHECK(result->cancelled);
  CHECK_FALSE(result->succeeded());
  CHECK(result->elapsed < Millis(2000));
  auto child_pid = read_file(child_pid_file);
  REQUIRE(child_pid.ok());
  pid_t child = std::stoi(*child_pid);
  // The background sleep was reparented when the shell died; it must be gone too.
  CHECK(eventually(
      [&] {
        char state = process_state(child);
        return state == '?' || state == 'Z';
      },
      Millis(2000)));
}

TEST_CASE("a command that is never cancelled runs to its end") {
  RunControl control;
  control.cancelled = [] { return false; };
  auto result = run_command(Command({"sh", "-c", "sleep 0.2; echo done"}), Millis(5000), control);
  REQUIRE(result.ok());
  CHECK(result->succeeded());
  CHECK(result->out == "done\n");
}

// Reading local processes from /proc (runner/os/process.h): what the blast-radius rules
// and the dry run are shown must name real processes, on one line.
#include "runner/os/process.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include "runner/os/local_target.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

TEST_CASE("a thread's id is not taken for a process") {
  WaitingThread thread;
  pid_t tid = thread.id();
  REQUIRE(tid != getpid());
  auto id = identify_process(tid);
  REQUIRE_FALSE(id.ok());
  CHECK(id.error().is(ErrorCode::invalid));
  CHECK(id.error().message == "pid " + std::to_string(tid) + " is a thread of process " +
                                  std::to_string(getpid()) + ", not a process of its own");
  // A pidfile naming it is refused likewise, never resolved to this process.
  TempDir dir;
  std::string pidfile = dir.write("thread.pid", std::to_string(tid) + "\n");
  auto read = make_local_target()->read_pidfile(pidfile);
  REQUIRE_FALSE(read.ok());
  CHECK(read.error().message == "pidfile " + pidfile + ": " + id.error().message);
  // The process itself is still a process.
  CHECK(identify_process(getpid()).ok());
}

TEST_CASE("a process's command line is shown on one line, without control bytes") {
  TempDir dir;
  OwnedProcess process(
      Command({"sh", "-c", "sleep 300; :", "two\nlines", "esc\x1b[2Jape", "bell\x07"}),
      dir.file("sh.log"));
  auto info = describe_process(process.id());
  REQUIRE(info.ok());
  CHECK(info->command_line == "sh -c sleep 300; : two lines esc [2Jape bell ");
}

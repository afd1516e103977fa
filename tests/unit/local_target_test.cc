// Reading pidfiles on the local target: what a pidfile names decides which process a
// fault signals, so anything but a clean pid is refused, never guessed at.
#include "runner/os/local_target.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

Error refusal(const std::string& path) {
  auto read = make_local_target()->read_pidfile(path);
  REQUIRE_FALSE(read.ok());
  return read.error();
}

}  // namespace

TEST_CASE("a pidfile whose first line is not a pid alone is refused, not read as a number") {
  TempDir dir;
  // Each of these once named a pid: 12, 3 (a kernel thread), 2024 (a bystander).
  for (const char* garbage : {"12abc\n", "3.14\n", "2024-01-01 started\n", "garbage\n", "\n", "",
                              "-1\n", "0\n", "1234567890123\n", "12 34\n"}) {
    INFO("pidfile content: '" << garbage << "'");
    Error error = refusal(dir.write("app.pid", garbage));
    CHECK(error.is(ErrorCode::invalid));
    CHECK(error.message == "pidfile " + dir.file("app.pid") +
                               " holds no pid: its first line must be a process id alone");
  }
}

TEST_CASE("a pidfile with blanks around the pid, or more lines after it, names that pid") {
  TempDir dir;
  OwnedProcess process(Command({"sleep", "300"}), dir.file("sleep.log"));
  std::string pid = std::to_string(process.pid());
  auto target = make_local_target();
  for (const std::string& content :
       {pid, pid + "\n", "  " + pid + " \r\n", pid + "\n/var/lib/postgresql/15/main\n5432\n"}) {
    auto read = target->read_pidfile(dir.write("app.pid", content));
    REQUIRE(read.ok());
    CHECK(*read == process.id());
  }
}

TEST_CASE("a pidfile that is a FIFO, a device or a folder is refused at once") {
  TempDir dir;
  std::string fifo = dir.file("fifo.pid");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  MonoTime started = MonoClock::now();
  Error error = refusal(fifo);
  CHECK(MonoClock::now() - started < Millis(1000));  // no writer is waited for
  CHECK(error.message == "pidfile " + fifo + " is a FIFO; expected a regular file");
  CHECK(refusal("/dev/zero").message ==
        "pidfile /dev/zero is a character device; expected a regular file");
  CHECK(refusal(dir.path()).message.find("is a directory") != std::string::npos);
}

TEST_CASE("a pidfile larger than 4 KiB is refused") {
  TempDir dir;
  Error error = refusal(dir.write("huge.pid", "123\n" + std::string(5000, '#')));
  CHECK(error.message.find("larger than the limit of 4096 bytes") != std::string::npos);
}

TEST_CASE("a pidfile naming a pid that is not running says so") {
  TempDir dir;
  OwnedProcess process(Command({"true"}), dir.file("true.log"));
  REQUIRE(process.wait(Millis(5000)) != -1);
  Error error = refusal(dir.write("gone.pid", std::to_string(process.pid()) + "\n"));
  CHECK(error.is(ErrorCode::gone));
  CHECK(error.message.find("which is not running") != std::string::npos);
}

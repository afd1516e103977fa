// process.kill is never rolled back, so it must not be able to leave a target frozen.
#include <signal.h>

#include <catch2/catch.hpp>

#include "runner/core/signals.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

Result<std::unique_ptr<Fault>> kill_with(int signal) {
  const FaultType* type = builtin_registry().fault_type("process.kill");
  REQUIRE(type != nullptr);
  return type->configure(Params(Json{{"signal", signal}}));
}

}  // namespace

TEST_CASE("process.kill refuses a stopping signal, which nothing would ever resume") {
  for (int signal : {SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU}) {
    auto fault = kill_with(signal);
    REQUIRE_FALSE(fault.ok());
    CHECK(fault.error().field == "signal");
    CHECK(fault.error().message.find("use type process.pause, which resumes it") !=
          std::string::npos);
  }
  CHECK(kill_with(SIGSTOP).error().message.rfind("signal STOP would leave the target stopped", 0) ==
        0);
}

TEST_CASE("process.kill takes the signals that end or poke a process") {
  for (int signal : {SIGKILL, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGCONT}) {
    auto fault = kill_with(signal);
    REQUIRE(fault.ok());
    CHECK((*fault)->describe() == "SIG" + signal_name(signal));
  }
}

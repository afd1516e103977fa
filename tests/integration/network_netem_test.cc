// network.netem: this kernel has no sch_netem, so preflight must say so before any fault
// acts; the test that needs netem itself is skipped here with that reason, and runs on
// hosts that have it (inside namespaces the test makes).
#include <catch2/catch.hpp>

#include "tests/support/netns.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// "" when this kernel takes a netem qdisc (asked in a throwaway namespace), else why not.
std::string netem_missing() {
  auto tried = run_command(Command{{"unshare", "--net", "tc", "qdisc", "add", "dev", "lo", "root",
                                    "netem", "delay", "1ms"}},
                           Millis(10000));
  if (!tried.ok()) return tried.error().message;
  return tried->succeeded() ? "" : "this kernel has no netem (tc: " + tried->err + ")";
}

std::string netem_plan(const std::string& device, const std::string& duration) {
  return fast_plan("netem-drill",
                   "  - {name: slow, type: network.netem, at: 100ms, duration: " + duration +
                       ", params: {device: " + device + ", delay: 200ms, loss: 1%}}\n");
}

}  // namespace

TEST_CASE("without netem in the kernel, preflight says so and no fault acts (exit 3)") {
  if (netem_missing().empty()) return skip_test("this kernel has netem; nothing to refuse");
  NetnsPair pair;
  if (!pair.available()) return skip_test(pair.problem());
  TempDir dir;
  std::string plan = dir.write("plan.yaml", netem_plan(pair.device_a(), "1s"));
  auto run =
      run_command(NetnsPair::faultline(pair.a(), {"run", plan, "--records", dir.file("records")},
                                       dir.file("home")),
                  Millis(30000));
  REQUIRE(run.ok());
  INFO(run->out << run->err);
  CHECK(run->exit_code == 3);
  CHECK(mentions(run->out + run->err, "this kernel has no netem"));
  Json record = only_record(dir.file("records"));
  CHECK(record["faults"][0]["injected_at_ms"].is_null());
  CHECK(phase_names(record) == std::vector<std::string>{"preflight", "verdict"});
  // The dry run says the same, and validate (which does not look at the host) accepts it.
  auto dry = run_command(
      NetnsPair::faultline(pair.a(), {"run", "--dry-run", plan}, dir.file("home")), Millis(30000));
  REQUIRE(dry.ok());
  CHECK(dry->exit_code == 3);
  CHECK(mentions(dry->out + dry->err, "this kernel has no netem"));
  CHECK(run_cli({"validate", plan}).exit_code == 0);
}

TEST_CASE("netem delays traffic on the device while in force and leaves no qdisc after") {
  if (std::string missing = netem_missing(); !missing.empty()) return skip_test(missing);
  NetnsPair pair;
  if (!pair.available()) return skip_test(pair.problem());
  TempDir dir;
  std::string plan = dir.write("plan.yaml", netem_plan(pair.device_a(), "2s"));
  OwnedProcess runner(
      NetnsPair::faultline(pair.a(), {"run", plan, "--records", dir.file("records")},
                           dir.file("home")),
      dir.file("runner.log"));
  auto qdiscs = [&] {
    auto shown = run_command(
        Command{{"ip", "netns", "exec", pair.a(), "tc", "qdisc", "show", "dev", pair.device_a()}},
        Millis(5000));
    return shown.ok() ? shown->out : "";
  };
  CHECK(eventually([&] { return mentions(qdiscs(), "netem fa17:"); }, Millis(15000)));
  int status = runner.wait(Millis(30000));
  INFO(text_of(dir.file("runner.log")));
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK_FALSE(mentions(qdiscs(), "netem"));
  Json record = only_record(dir.file("records"));
  CHECK(record["faults"][0]["rollback"]["outcome"] == "undone");
}

#pragma once
// Real drills for the report tests: each run of the binary fails its probe for about
// 300 ms (an exec fault holds a flag file the probe checks), so its record has an outage,
// a recovery point and a fault window; all land in one SQLite store in the test's folder.
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace faultline::testing {

// Continuity metadata whose strings must stay text in every report.
inline const std::string kHostileContinuity =
    "continuity: {service: \"<script>alert(1)</script>\", impact: \"</svg><b>bold</b>\", "
    "emergency_plan: {ref: EP-7, version: \"3.2\"}, tier: \"5\", "
    "participants: [{name: alice, role: commander}]}\n";
inline const std::string kHostileLesson = "</svg><script>alert(2)</script>";

class ReportDrills {
 public:
  explicit ReportDrills(const TempDir& dir) : dir_(dir) {}

  std::string store() const { return dir_.file("records.db"); }

  // Runs plan `name` with objectives rto `rto` and availability 10% (and `extra`
  // top-level YAML); returns the drill id. Fails the test unless it ran to a verdict.
  std::string run(const std::string& name, const std::string& rto, const std::string& extra) {
    std::string flag = dir_.file(name + ".flag");
    std::string plan = dir_.write(
        name + "-" + std::to_string(++runs_) + ".yaml",
        "version: 1\nname: " + name + "\nobjectives: {rto: " + rto + ", availability: 10%}\n" +
            extra +
            "steady_state:\n  interval: 50ms\n  baseline_rounds: 1\n  recovered_after: 1\n"
            "  probes:\n    - {name: flag, exec: {command: \"test ! -e " +
            flag +
            "\"}}\n"
            "faults:\n  - name: flag\n    type: exec\n    at: 0s\n    duration: 300ms\n"
            "    params:\n      inject: \"touch " +
            flag + "\"\n      rollback: \"rm -f " + flag + "\"\n");
    CliRun run =
        run_drill_cli({"run", plan, "-q", "--store", store(), "--records", dir_.file("records")},
                      dir_.file("home"));
    INFO(run.out << run.err);
    REQUIRE((run.exit_code == 0 || run.exit_code == 1));
    size_t at = run.out.find("record: ");
    REQUIRE(at != std::string::npos);
    std::string path = run.out.substr(at + 8, run.out.find('\n', at) - at - 8);
    Json record = read_json(path);
    return record["id"].get<std::string>();
  }

  std::string record_path(const std::string& id) const {
    return dir_.file("records/" + id + ".json");
  }

  // The CLI against this store.
  CliRun cli(std::vector<std::string> args) const {
    args.insert(args.end(), {"--store", store()});
    return run_cli_env(args, dir_.file("home"), {});
  }

 private:
  const TempDir& dir_;
  int runs_ = 0;
};

}  // namespace faultline::testing

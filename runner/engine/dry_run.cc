#include "runner/engine/dry_run.h"

#include <fmt/format.h>

#include <algorithm>

#include "runner/engine/selection.h"
#include "runner/schedule/schedule.h"

namespace faultline {
namespace {

struct ScheduledLine {
  Millis at;
  int order;  // at the same offset: roll back before injecting, as the engine does
  std::string text;
};

std::string objectives_line(const Plan& plan) {
  std::string objectives;
  for (const auto& objective : plan.objectives) {
    objectives += (objectives.empty() ? "" : ", ") + objective.name + " " +
                  (objective.name == "availability"
                       ? fmt::format("{}%", objective.target)
                       : format_duration(Millis(static_cast<int64_t>(objective.target))));
  }
  return objectives.empty() ? "none" : objectives;
}

}  // namespace

std::string describe_dry_run(const Plan& plan, const PreflightResult& preflight) {
  const auto& steady = plan.steady_state;
  std::string out = fmt::format("dry run of plan '{}' ({}): nothing will be started or injected\n",
                                plan.name, plan.path);
  out += fmt::format("  preflight   {}\n",
                     preflight.ok() ? "every check passes" : "FAILS: the drill would not start");
  for (const auto& check : preflight.checks) {
    out += fmt::format("                {} {}: {}\n", check.ok ? "ok  " : "FAIL", check.what,
                       check.detail);
  }
  for (const auto& service : plan.services) {
    out += fmt::format(
        "  startup     start service {}: {}{}\n", service.name, quote_command(service.command.argv),
        service.ready ? " (ready: " + service.ready->probe->describe() + ", within " +
                            format_duration(service.ready_timeout) + ")"
                      : "");
  }
  out +=
      fmt::format("  baseline    {} passing rounds of {} probe(s), every {}\n",
                  steady.baseline_rounds, steady.probes.size(), format_duration(steady.interval));
  for (const auto& probe : steady.probes) {
    out += fmt::format("                probe {} ({}): {}\n", probe.name, probe.type,
                       probe.probe->describe());
  }
  out += "  faults      the schedule starts when the baseline holds (T+0)\n";
  std::vector<ScheduledLine> schedule;
  for (const auto& fault : plan.faults) {
    std::string on = fault.target ? " on " + fault.target->describe() : "";
    auto radius = preflight.blast_radius.find(fault.name);
    if (radius != preflight.blast_radius.end()) {
      on += " = " + describe_processes(radius->second);
    } else if (fault.target && !fault.target->service.empty()) {
      on += " (the service's process when it fires)";
    }
    schedule.push_back({fault.at, 1,
                        fmt::format("  T+{:<9} inject {} ({}): {}{}\n", format_duration(fault.at),
                                    fault.name, fault.type, fault.fault->describe(), on)});
    if (fault.duration) {
      Millis end = fault.at + *fault.duration;
      schedule.push_back(
          {end, 0, fmt::format("  T+{:<9} roll back {}\n", format_duration(end), fault.name)});
    }
  }
  std::stable_sort(schedule.begin(), schedule.end(), [](const auto& a, const auto& b) {
    return a.at < b.at || (a.at == b.at && a.order < b.order);
  });
  for (const auto& line : schedule) out += line.text;
  out += "  rollback    roll back every fault still active, last injected first\n";
  out += fmt::format("  recovery    wait for {} consecutive passing rounds, at most {}\n",
                     steady.recovered_after, format_duration(plan.recovery_timeout));
  if (plan.recovery_observe.count() > 0) {
    out +=
        fmt::format("  observe     keep probing for {} more (the availability window ends here)\n",
                    format_duration(plan.recovery_observe));
  }
  if (!plan.services.empty()) out += "  teardown    stop every service, last started first\n";
  out += "  verdict     objectives: " + objectives_line(plan) + "\n";
  if (plan.schedule) {
    auto schedule = Schedule::make(plan.schedule->cron, plan.schedule->timezone);
    if (schedule)
      out += "  due         " + describe_next_due(*schedule, WallClock::now(), 3) + "\n";
  }
  return out;
}

}  // namespace faultline

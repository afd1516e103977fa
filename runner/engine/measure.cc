#include "runner/engine/measure.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace faultline {
namespace {

// A start this much later than the previous one is the runner stalling, not scheduling
// jitter: twice the interval, and at least 100 ms more than one for short intervals.
double stall_threshold_ms(double interval_ms) {
  return std::max(2 * interval_ms, interval_ms + 100);
}

std::vector<Gap> find_gaps(const std::vector<Round>& rounds, double interval_ms) {
  std::vector<Gap> gaps;
  for (size_t i = 1; i < rounds.size(); ++i) {
    double previous = rounds[i - 1].started_ms;
    if (rounds[i].started_ms - previous > stall_threshold_ms(interval_ms)) {
      gaps.push_back({previous + interval_ms, rounds[i].started_ms});
    }
  }
  return gaps;
}

double gap_overlap_ms(const std::vector<Gap>& gaps, double from_ms, double to_ms) {
  double total = 0;
  for (const auto& gap : gaps) {
    total += std::max(0.0, std::min(gap.to_ms, to_ms) - std::max(gap.from_ms, from_ms));
  }
  return total;
}

// An outage as the walk over the rounds saw it. It may have begun anywhere between the
// last pass before it and the failure that revealed it, so that stretch counts toward its
// uncertainty too.
struct SeenOutage {
  Outage outage;
  double last_pass_before_ms = 0;
};

// Walks the drill rounds in start order: healthy until a round fails, then in an outage
// until K consecutive passes. Rounds overlap, so a pass can be answered before the outage
// it follows was seen; such a pass says nothing about recovery and is skipped. The
// recovery point is the end of the streak's first round, remembered by index because
// skipped rounds make the streak's length say nothing about where it began.
std::vector<SeenOutage> find_outages(const std::vector<Round>& rounds, double t0_ms,
                                     int recovered_after) {
  const int needed = std::max(1, recovered_after);
  std::vector<SeenOutage> found;
  std::optional<SeenOutage> open;
  int streak = 0;
  size_t streak_first = 0;
  // No outage a fault caused began before the first fault: the uncertainty starts at t0.
  double last_pass_ms = t0_ms;
  for (size_t i = 0; i < rounds.size(); ++i) {
    const Round& round = rounds[i];
    if (round.ended_ms < t0_ms) continue;
    if (!round.ok) {
      if (!open) {
        open = SeenOutage{Outage{round.ended_ms, std::nullopt, "", 0, 0}, last_pass_ms};
      }
      open->outage.began_ms = std::min(open->outage.began_ms, round.ended_ms);
      ++open->outage.failing_rounds;
      streak = 0;
      continue;
    }
    last_pass_ms = round.ended_ms;
    if (!open || round.ended_ms < open->outage.began_ms) continue;
    if (streak++ == 0) streak_first = i;
    if (streak == needed) {
      open->outage.recovered_ms = rounds[streak_first].ended_ms;
      found.push_back(*open);
      open.reset();
      streak = 0;
    }
  }
  if (open) found.push_back(*open);
  return found;
}

bool active_at(const FaultWindow& fault, double t_ms) {
  return !fault.rolled_back_ms || *fault.rolled_back_ms > t_ms;
}

// The fault an outage that began at `began_ms` is blamed on: the most recently injected
// one still active then, else the most recently injected one; later in the plan wins a tie.
size_t attribute(double began_ms, const std::vector<FaultWindow>& faults) {
  std::optional<size_t> latest, latest_active;
  auto later = [&](const std::optional<size_t>& best, size_t i) {
    return !best || faults[i].injected_ms >= faults[*best].injected_ms;
  };
  for (size_t i = 0; i < faults.size(); ++i) {
    if (faults[i].injected_ms > began_ms) continue;
    if (later(latest, i)) latest = i;
    if (active_at(faults[i], began_ms) && later(latest_active, i)) latest_active = i;
  }
  // began_ms >= t0, so some fault qualifies; the first one is a guard, not a policy.
  return latest_active.value_or(latest.value_or(0));
}

FaultMeasurement fault_from(const FaultWindow& window) {
  FaultMeasurement fault;
  fault.name = window.name;
  fault.injected_ms = window.injected_ms;
  fault.rolled_back_ms = window.rolled_back_ms;
  return fault;
}

// Fills a fault's figures from the outages already attributed to it.
void summarize_fault(FaultMeasurement& fault, const std::vector<Outage>& outages) {
  if (fault.outages.empty()) {
    fault.rto_ms = 0;  // it caused no outage: nothing to recover from
    return;
  }
  fault.time_to_detect_ms = outages[fault.outages.front()].began_ms - fault.injected_ms;
  fault.recovered_ms = outages[fault.outages.back()].recovered_ms;
  fault.recovered = fault.recovered_ms.has_value();
  if (fault.recovered_ms) fault.rto_ms = *fault.recovered_ms - fault.injected_ms;
}

std::optional<double> drill_rto_ms(const std::vector<FaultMeasurement>& faults) {
  double worst = 0;
  for (const auto& fault : faults) {
    if (!fault.rto_ms) return std::nullopt;
    worst = std::max(worst, *fault.rto_ms);
  }
  return worst;
}

std::optional<double> downtime_ms(const std::vector<Outage>& outages) {
  double total = 0;
  for (const auto& outage : outages) {
    if (!outage.recovered_ms) return std::nullopt;
    total += *outage.recovered_ms - outage.began_ms;
  }
  return total;
}

double last_end_ms(const std::vector<Round>& rounds) {
  double last = 0;
  for (const auto& round : rounds) last = std::max(last, round.ended_ms);
  return last;
}

// Fills the drill's figures from its faults' and outages'.
void summarize_drill(Measurements& m) {
  m.rto_ms = drill_rto_ms(m.faults);
  m.downtime_ms = downtime_ms(m.outages);
  m.recovered = m.outages.empty() || m.outages.back().recovered_ms.has_value();
  if (m.outages.empty()) return;
  m.first_failure_ms = m.outages.front().began_ms;
  m.time_to_detect_ms = *m.first_failure_ms - *m.t0_ms;
  m.recovery_point_ms = m.outages.back().recovered_ms;
}

// The figure each objective of objective_kinds() is judged on.
std::optional<double> achieved_figure(const std::string& name, const Measurements& m) {
  if (name == "rto") return m.rto_ms;
  if (name == "rpo") return m.rpo_ms;
  if (name == "availability") return m.availability_percent;
  return std::nullopt;
}

ObjectiveResult judge(const ObjectiveSpec& objective, const ObjectiveKind& kind,
                      const Measurements& measurements, bool evaluated) {
  ObjectiveResult result{objective.name, objective.target, std::nullopt,
                         ObjectiveStatus::not_evaluated, unit_name(kind.unit)};
  if (!evaluated) return result;
  result.achieved = achieved_figure(objective.name, measurements);
  bool met = result.achieved && (kind.higher_is_better ? *result.achieved >= objective.target
                                                       : *result.achieved <= objective.target);
  result.status = met ? ObjectiveStatus::met : ObjectiveStatus::missed;
  return result;
}

Json met_json(ObjectiveStatus status) {
  if (status == ObjectiveStatus::not_evaluated) return nullptr;
  return status == ObjectiveStatus::met;
}

Json outage_json(const Outage& outage) {
  std::optional<double> duration;
  if (outage.recovered_ms) duration = *outage.recovered_ms - outage.began_ms;
  return Json{{"began_ms", json_number(outage.began_ms)},
              {"recovered_ms", json_number(outage.recovered_ms)},
              {"duration_ms", json_number(duration)},
              {"fault", outage.fault},
              {"failing_rounds", outage.failing_rounds},
              {"gap_ms", json_number(outage.gap_ms)}};
}

Json fault_json(const FaultMeasurement& fault) {
  return Json{{"name", fault.name},
              {"injected_ms", json_number(fault.injected_ms)},
              {"rolled_back_ms", json_number(fault.rolled_back_ms)},
              {"time_to_detect_ms", json_number(fault.time_to_detect_ms)},
              {"rto_ms", json_number(fault.rto_ms)},
              {"recovered_ms", json_number(fault.recovered_ms)},
              {"recovered", fault.recovered},
              {"outages", fault.outages}};
}

Json gap_json(const Gap& gap) {
  return Json{{"from_ms", json_number(gap.from_ms)},
              {"to_ms", json_number(gap.to_ms)},
              {"duration_ms", json_number(gap.to_ms - gap.from_ms)}};
}

}  // namespace

Measurements measure(const std::vector<Round>& rounds, const std::vector<FaultWindow>& faults,
                     const SteadyState& steady_state) {
  Measurements m;
  m.resolution_ms = static_cast<double>(steady_state.interval.count());
  m.recovered_after = steady_state.recovered_after;
  m.gaps = find_gaps(rounds, m.resolution_ms);
  if (faults.empty()) return m;
  double t0 = faults.front().injected_ms;
  for (const auto& fault : faults) t0 = std::min(t0, fault.injected_ms);
  m.t0_ms = t0;
  for (const auto& fault : faults) m.faults.push_back(fault_from(fault));
  for (const auto& round : rounds) {
    if (round.ended_ms < t0) continue;
    ++m.drill_rounds;
    m.passing_rounds += round.ok ? 1 : 0;
  }
  if (m.drill_rounds == 0) {
    // No evidence either way: no fault's recovery is measured.
    for (auto& fault : m.faults) fault.recovered = false;
    return m;
  }
  m.availability_percent = 100.0 * m.passing_rounds / m.drill_rounds;

  const double observed_until_ms = last_end_ms(rounds);
  for (const SeenOutage& seen : find_outages(rounds, t0, steady_state.recovered_after)) {
    Outage outage = seen.outage;
    size_t blamed = attribute(outage.began_ms, faults);
    outage.fault = faults[blamed].name;
    double from = std::min(seen.last_pass_before_ms, outage.began_ms);
    outage.gap_ms = gap_overlap_ms(m.gaps, from, outage.recovered_ms.value_or(observed_until_ms));
    m.faults[blamed].outages.push_back(m.outages.size());
    m.outages.push_back(outage);
  }
  for (auto& fault : m.faults) summarize_fault(fault, m.outages);
  summarize_drill(m);
  return m;
}

std::optional<double> percentile(std::vector<double> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * values.size()));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

const char* objective_status_name(ObjectiveStatus status) {
  switch (status) {
    case ObjectiveStatus::met:
      return "met";
    case ObjectiveStatus::missed:
      return "missed";
    case ObjectiveStatus::not_evaluated:
      break;
  }
  return "not_evaluated";
}

std::vector<ObjectiveResult> evaluate_objectives(const std::vector<ObjectiveSpec>& objectives,
                                                 const Measurements& measurements, bool evaluated) {
  std::vector<ObjectiveResult> results;
  for (const auto& objective : objectives) {
    if (const ObjectiveKind* kind = find_objective_kind(objective.name))
      results.push_back(judge(objective, *kind, measurements, evaluated));
  }
  return results;
}

Json json_number(double value) {
  if (!std::isfinite(value)) return nullptr;
  double rounded = std::round(value * 1000.0) / 1000.0;
  // Past 2^53 a double holds only integers anyway; keep those as they are.
  if (rounded == std::trunc(rounded) && std::fabs(rounded) < 9007199254740992.0) {
    return static_cast<int64_t>(rounded);
  }
  return rounded;
}

Json json_number(const std::optional<double>& value) {
  return value ? json_number(*value) : Json(nullptr);
}

Json measurements_to_json(const Measurements& m) {
  Json outages = Json::array();
  for (const auto& outage : m.outages) outages.push_back(outage_json(outage));
  Json faults = Json::array();
  for (const auto& fault : m.faults) faults.push_back(fault_json(fault));
  Json gaps = Json::array();
  for (const auto& gap : m.gaps) gaps.push_back(gap_json(gap));
  return Json{{"t0_ms", json_number(m.t0_ms)},
              {"first_failure_ms", json_number(m.first_failure_ms)},
              {"time_to_detect_ms", json_number(m.time_to_detect_ms)},
              {"recovery_point_ms", json_number(m.recovery_point_ms)},
              {"rto_ms", json_number(m.rto_ms)},
              {"downtime_ms", json_number(m.downtime_ms)},
              {"availability_percent", json_number(m.availability_percent)},
              {"rpo_ms", json_number(m.rpo_ms)},
              {"drill_rounds", m.drill_rounds},
              {"passing_rounds", m.passing_rounds},
              {"recovered", m.recovered},
              {"resolution_ms", json_number(m.resolution_ms)},
              {"recovered_after", m.recovered_after},
              {"outages", outages},
              {"faults", faults},
              {"gaps", gaps}};
}

Json objectives_to_json(const std::vector<ObjectiveResult>& results) {
  Json out = Json::object();
  for (const auto& result : results) {
    std::string suffix = "_" + result.unit;
    out[result.name] = Json{{"target" + suffix, json_number(result.target)},
                            {"achieved" + suffix, json_number(result.achieved)},
                            {"met", met_json(result.status)},
                            {"status", objective_status_name(result.status)}};
  }
  return out;
}

}  // namespace faultline

#include "runner/engine/measure.h"

#include <algorithm>
#include <cmath>

namespace faultline {
namespace {

Json optional_number(const std::optional<double>& value) {
  if (!value) return nullptr;
  return std::round(*value * 1000.0) / 1000.0;
}

struct ObjectiveKind {
  const char* name;
  const char* unit;
  bool higher_is_better;
  std::optional<double> (*achieved)(const Measurements&);
};

const ObjectiveKind kObjectiveKinds[] = {
    {"rto", "ms", false, [](const Measurements& m) { return m.rto_ms; }},
    {"availability", "percent", true, [](const Measurements& m) { return m.availability_percent; }},
};

}  // namespace

Measurements measure(const std::vector<Round>& rounds, std::optional<double> t0_ms,
                     const SteadyState& steady_state) {
  Measurements m;
  m.t0_ms = t0_ms;
  m.resolution_ms = static_cast<double>(steady_state.interval.count());
  m.recovered_after = steady_state.recovered_after;
  if (!t0_ms) return m;
  // Rounds overlap, so they are in start order but may end out of order: the outage
  // was first seen by whichever failing round ended first.
  size_t first_failure = rounds.size();
  std::optional<double> earliest_failure_ms;
  for (size_t i = 0; i < rounds.size(); ++i) {
    if (rounds[i].ended_ms < *t0_ms) continue;
    ++m.drill_rounds;
    if (rounds[i].ok) {
      ++m.passing_rounds;
      continue;
    }
    if (first_failure == rounds.size()) first_failure = i;
    earliest_failure_ms =
        std::min(earliest_failure_ms.value_or(rounds[i].ended_ms), rounds[i].ended_ms);
  }
  if (m.drill_rounds == 0) return m;  // no evidence either way: nothing is measured
  m.availability_percent = 100.0 * m.passing_rounds / m.drill_rounds;
  if (first_failure == rounds.size()) {
    // Nothing failed: the system never went down, so there was nothing to recover.
    m.recovered = true;
    m.rto_ms = 0;
    m.outage_ms = 0;
    return m;
  }
  m.first_failure_ms = earliest_failure_ms;
  m.time_to_detect_ms = *m.first_failure_ms - *t0_ms;
  // The streak's first round is remembered, not counted back from i: the passes skipped
  // below sit inside a streak, so i - streak + 1 can land on one of them.
  int streak = 0;
  size_t streak_first = 0;
  for (size_t i = first_failure + 1; i < rounds.size(); ++i) {
    // A pass that ended before the outage was first seen cannot be its end.
    if (rounds[i].ok && rounds[i].ended_ms < *m.first_failure_ms) continue;
    streak = rounds[i].ok ? streak + 1 : 0;
    if (streak == 1) streak_first = i;
    if (streak == steady_state.recovered_after) {
      m.recovery_point_ms = rounds[streak_first].ended_ms;
      m.rto_ms = *m.recovery_point_ms - *t0_ms;
      m.outage_ms = *m.recovery_point_ms - *m.first_failure_ms;
      m.recovered = true;
      break;
    }
  }
  return m;
}

std::optional<double> percentile(std::vector<double> values, double p) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * values.size()));
  return values[std::clamp<size_t>(rank, 1, values.size()) - 1];
}

std::vector<ObjectiveResult> evaluate_objectives(const std::vector<ObjectiveSpec>& objectives,
                                                 const Measurements& measurements) {
  std::vector<ObjectiveResult> results;
  for (const auto& objective : objectives) {
    for (const auto& kind : kObjectiveKinds) {
      if (objective.name != kind.name) continue;
      ObjectiveResult result{objective.name, objective.target, kind.achieved(measurements), false,
                             kind.unit};
      if (result.achieved) {
        result.met = kind.higher_is_better ? *result.achieved >= objective.target
                                           : *result.achieved <= objective.target;
      }
      results.push_back(result);
    }
  }
  return results;
}

Json measurements_to_json(const Measurements& m) {
  return Json{{"t0_ms", optional_number(m.t0_ms)},
              {"first_failure_ms", optional_number(m.first_failure_ms)},
              {"time_to_detect_ms", optional_number(m.time_to_detect_ms)},
              {"recovery_point_ms", optional_number(m.recovery_point_ms)},
              {"rto_ms", optional_number(m.rto_ms)},
              {"outage_ms", optional_number(m.outage_ms)},
              {"availability_percent", optional_number(m.availability_percent)},
              {"drill_rounds", m.drill_rounds},
              {"passing_rounds", m.passing_rounds},
              {"recovered", m.recovered},
              {"resolution_ms", m.resolution_ms},
              {"recovered_after", m.recovered_after}};
}

Json objectives_to_json(const std::vector<ObjectiveResult>& results) {
  Json out = Json::object();
  for (const auto& result : results) {
    std::string suffix = result.unit == "ms" ? "_ms" : "_percent";
    out[result.name] = Json{{"target" + suffix, result.target},
                            {"achieved" + suffix, optional_number(result.achieved)},
                            {"met", result.met}};
  }
  return out;
}

}  // namespace faultline

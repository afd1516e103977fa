#include "reports/junit_cases.h"

#include <fmt/format.h>

#include <algorithm>

#include "reports/json_fields.h"

namespace faultline {
namespace {

// A case that passed, until the checks below say otherwise.
Case passed_case(const std::string& classname, const std::string& name, double seconds = 0) {
  Case c;
  c.classname = classname;
  c.name = name;
  c.seconds = seconds;
  return c;
}

std::string figure(const Json& value, const std::string& unit) {
  if (!value.is_number()) return "not measured";
  return fmt::format("{:g} {}", value.get<double>(), unit);
}

enum class ObjectiveStatus { met, missed, not_evaluated };

// "status" is what a record says; records without it only carry "met", which is null
// when the objective was not evaluated.
ObjectiveStatus objective_status(const Json& objective) {
  std::string status = text_field(objective, "status", "");
  if (status == "met") return ObjectiveStatus::met;
  if (status == "missed") return ObjectiveStatus::missed;
  if (status == "not_evaluated") return ObjectiveStatus::not_evaluated;
  const Json& met = field_of(objective, "met");
  if (!met.is_boolean()) return ObjectiveStatus::not_evaluated;
  return met.get<bool>() ? ObjectiveStatus::met : ObjectiveStatus::missed;
}

const Json& objectives_of(const Json& record) {
  static const Json none = Json::object();
  const Json& objectives = field_of(record, "objectives");
  return objectives.is_object() ? objectives : none;
}

const Json& samples_of(const Json& probe) {
  static const Json none = Json::array();
  const Json& samples = field_of(probe, "samples");
  return samples.is_array() ? samples : none;
}

// The skip message for every objective and probe case when the drill stopped before
// its figures were taken, or "" when its cases are judged.
std::string not_evaluated_message(const Json& record) {
  std::string verdict = text_field(record, "verdict", "");
  bool objective_not_evaluated = false;
  for (const auto& [name, objective] : objectives_of(record).items()) {
    objective_not_evaluated |= objective_status(objective) == ObjectiveStatus::not_evaluated;
  }
  if (verdict != "aborted" && verdict != "interrupted" && !objective_not_evaluated) return "";
  std::string what = verdict == "interrupted" ? "the drill was interrupted"
                     : verdict == "aborted" || verdict == "rollback_failed"
                         ? "the drill was aborted"
                         : "the record holds no result";
  std::string reason = text_field(record, "reason", "");
  return "not evaluated: " + what + (reason.empty() ? "" : " (" + reason + ")");
}

Case objective_case(const std::string& plan, const std::string& name, const Json& objective) {
  Case c = passed_case("faultline." + plan + ".objectives", name);
  if (objective_status(objective) == ObjectiveStatus::met) return c;
  bool ms = field_of(objective, "target_ms").is_number();
  std::string unit = ms ? "ms" : "%";
  const Json& target = field_of(objective, ms ? "target_ms" : "target_percent");
  const Json& achieved = field_of(objective, ms ? "achieved_ms" : "achieved_percent");
  c.outcome = Outcome::failed;
  c.type = "objective_missed";
  c.message =
      fmt::format("{}: target {}, achieved {}", name, figure(target, unit), figure(achieved, unit));
  return c;
}

// How many of the last samples must pass; bounded so that a wild value cannot overflow.
int recovered_after_of(const Json& record) {
  double k = number_field(field_of(record, "steady_state"), "recovered_after", 1);
  return static_cast<int>(std::clamp(k, 1.0, 1e6));
}

// A probe passes when it passed its last K samples: the steady state came back.
Case probe_case(const std::string& plan, const Json& probe, int recovered_after) {
  Case c = passed_case("faultline." + plan + ".probes", text_field(probe, "name", "probe"));
  const Json& samples = samples_of(probe);
  int tail_failures = 0, considered = 0;
  for (auto it = samples.rbegin(); it != samples.rend() && considered < recovered_after;
       ++it, ++considered) {
    tail_failures += bool_field(*it, "ok", false) ? 0 : 1;
  }
  if (considered == recovered_after && tail_failures == 0) return c;
  std::string last = samples.empty() ? "no samples" : text_field(samples.back(), "detail", "");
  const Json& summary = field_of(probe, "summary");
  c.outcome = Outcome::failed;
  c.type = "steady_state_not_restored";
  c.message = fmt::format(
      "steady state not restored: {} of the last {} samples failed (last: {}); {:.0f} passed, "
      "{:.0f} failed in all",
      tail_failures + (recovered_after - considered), recovered_after, last,
      number_field(summary, "passed", 0), number_field(summary, "failed", 0));
  return c;
}

Case drill_case(const Json& record, const std::string& plan, const std::vector<Case>& cases) {
  Case drill = passed_case("faultline." + plan, "drill", seconds_of(record, "duration_ms"));
  std::string verdict = text_field(record, "verdict", "");
  std::string reason = text_field(record, "reason", "");
  if (verdict == "passed") return drill;
  if (verdict == "failed") {
    // A missed objective already fails its own case; the drill case fails only for
    // what no objective covers (the steady state never came back).
    bool objective_failed = std::any_of(cases.begin(), cases.end(), [](const Case& c) {
      return c.outcome == Outcome::failed && c.classname.ends_with(".objectives");
    });
    if (!objective_failed) {
      drill.outcome = Outcome::failed;
      drill.type = "drill_failed";
      drill.message = reason;
    }
    return drill;
  }
  // aborted, rollback_failed, interrupted, or a verdict we do not know: not a pass.
  drill.outcome = Outcome::error;
  drill.type = "drill_error";
  if (verdict.empty()) verdict = "no verdict in the record";
  drill.message = reason.empty() ? verdict : verdict + ": " + reason;
  return drill;
}

}  // namespace

std::string plan_name(const Json& record) {
  std::string name = text_field(field_of(record, "plan"), "name", "");
  return name.empty() ? "plan" : name;
}

double seconds_of(const Json& object, const char* key) {
  return std::max(0.0, number_field(object, key, 0)) / 1000.0;
}

std::vector<Case> junit_cases(const Json& record) {
  std::string plan = plan_name(record);
  std::vector<Case> cases;
  for (const auto& [name, objective] : objectives_of(record).items()) {
    cases.push_back(objective_case(plan, name, objective));
  }
  const Json& probes = field_of(record, "probes");
  if (probes.is_array()) {
    int recovered_after = recovered_after_of(record);
    for (const auto& probe : probes) cases.push_back(probe_case(plan, probe, recovered_after));
  }
  if (std::string skip = not_evaluated_message(record); !skip.empty()) {
    for (auto& c : cases) {
      c.outcome = Outcome::skipped;
      c.message = skip;
      c.type.clear();
    }
  }
  cases.push_back(drill_case(record, plan, cases));
  return cases;
}

}  // namespace faultline

#include "reports/record_text.h"

#include <fmt/format.h>

#include <cmath>

#include "reports/json_fields.h"
#include "runner/core/duration.h"

namespace faultline {
namespace {

// The unit of an objective, from its "target_<unit>" (or "achieved_<unit>") field.
std::string unit_of(const Json& objective) {
  if (!objective.is_object()) return "";
  for (const auto& [key, value] : objective.items()) {
    for (const char* prefix : {"target_", "achieved_"}) {
      if (key.rfind(prefix, 0) == 0) return key.substr(std::string(prefix).size());
    }
  }
  return "";
}

}  // namespace

std::string ms_figure(const Json& value) {
  if (!value.is_number()) return "-";
  double ms = value.get<double>();
  if (ms < 0 || ms > 1e12) return fmt::format("{}ms", ms);
  return format_duration(Millis(static_cast<int64_t>(std::llround(ms))));
}

std::string objective_figure(const Json& objective, const std::string& prefix) {
  std::string unit = unit_of(objective);
  const Json& value = field_of(objective, (prefix + "_" + unit).c_str());
  if (!value.is_number()) return prefix == "achieved" ? "not measured" : "-";
  if (unit == "ms") return ms_figure(value);
  if (unit == "percent") return fmt::format("{:.2f}%", value.get<double>());
  return fmt::format("{} {}", value.get<double>(), unit);
}

std::vector<ObjectiveView> objective_views(const Json& objectives) {
  std::vector<ObjectiveView> views;
  if (!objectives.is_object()) return views;
  for (const auto& [name, objective] : objectives.items()) {
    views.push_back({name, unit_of(objective), objective_figure(objective, "target"),
                     objective_figure(objective, "achieved"), text_field(objective, "status", "")});
  }
  return views;
}

std::string objectives_line(const Json& objectives) {
  std::string line;
  for (const auto& view : objective_views(objectives)) {
    if (!line.empty()) line += " · ";
    std::string status = view.status == "not_evaluated" ? "not evaluated" : view.status;
    line += fmt::format("{} {}/{} {}", view.name, view.achieved, view.target, status);
  }
  return line.empty() ? "-" : line;
}

namespace {

std::string offset(const Json& value) {
  return value.is_number() ? fmt::format("+{:.3f}s", value.get<double>() / 1000.0) : "-";
}

std::string faults_text(const Json& record) {
  const Json& faults = field_of(record, "faults");
  if (!faults.is_array() || faults.empty()) return "";
  std::string text = "faults:\n";
  for (const auto& fault : faults) {
    const Json& outages = field_of(fault, "outages");
    text += fmt::format(
        "  {:<14} {:<16} injected {:<9} rolled back {:<9} {} · detected after {} · "
        "{} outage(s) · rto {}\n",
        text_field(fault, "name", "?"), text_field(fault, "type", "?"),
        offset(field_of(fault, "injected_at_ms")), offset(field_of(fault, "rolled_back_at_ms")),
        text_field(field_of(fault, "rollback"), "outcome", ""),
        ms_figure(field_of(fault, "time_to_detect_ms")), outages.is_array() ? outages.size() : 0,
        ms_figure(field_of(fault, "rto_ms")));
  }
  return text;
}

std::string outages_text(const Json& measurements) {
  const Json& outages = field_of(measurements, "outages");
  if (!outages.is_array() || outages.empty()) return "";
  std::string text = "outages:\n";
  for (const auto& outage : outages) {
    text +=
        fmt::format("  {} to {} ({}), fault {}\n", offset(field_of(outage, "began_ms")),
                    offset(field_of(outage, "recovered_ms")),
                    ms_figure(field_of(outage, "duration_ms")), text_field(outage, "fault", "-"));
  }
  return text;
}

std::string timeline_text(const Json& record) {
  const Json& timeline = field_of(record, "timeline");
  if (!timeline.is_array() || timeline.empty()) return "";
  std::string text = "timeline:\n";
  for (const auto& event : timeline) {
    std::string detail = text_field(event, "detail", "");
    text += fmt::format("  {:<10} {:<9} {}{}\n", offset(field_of(event, "t_ms")),
                        text_field(event, "kind", ""), text_field(event, "name", ""),
                        detail.empty() ? "" : ": " + detail);
  }
  return text;
}

std::string continuity_text(const Json& continuity) {
  if (!continuity.is_object()) return "";
  std::string text;
  auto add = [&](const std::string& label, const std::string& value) {
    if (!value.empty()) text += (text.empty() ? "" : " · ") + label + " " + value;
  };
  add("service", text_field(continuity, "service", ""));
  add("impact", text_field(continuity, "impact", ""));
  add("scope", names_text(field_of(continuity, "scope")));
  std::string plan = text_field(continuity, "emergency_plan", "");
  std::string version = text_field(continuity, "emergency_plan_version", "");
  add("emergency plan", plan + (version.empty() ? "" : " version " + version));
  add("tier stated by the plan", text_field(continuity, "tier", ""));
  std::string people;
  const Json& participants = field_of(continuity, "participants");
  if (participants.is_array()) {
    for (const auto& person : participants) {
      people += fmt::format("{}{} ({})", people.empty() ? "" : ", ",
                            text_field(person, "name", "?"), text_field(person, "role", "-"));
    }
  }
  if (text.empty() && people.empty()) return "";
  return "continuity: " + (text.empty() ? "-" : text) + "\n" +
         (people.empty() ? "" : "participants: " + people + "\n");
}

}  // namespace

std::string names_text(const Json& list) {
  std::string text;
  if (!list.is_array()) return text;
  for (const auto& item : list) {
    if (!item.is_string()) continue;
    text += (text.empty() ? "" : ", ") + item.get<std::string>();
  }
  return text;
}

std::string tier_assessment_text(const Json& assessment) {
  const Json& tier = field_of(assessment, "tier");
  std::string text = tier.is_string() ? "tier " + tier.get<std::string>() : "no tier";
  std::string judged = names_text(field_of(assessment, "judged_on"));
  std::string missing = names_text(field_of(assessment, "not_measured"));
  if (!judged.empty()) text += " (on " + judged;
  if (!judged.empty() && !missing.empty()) text += "; without " + missing;
  if (!judged.empty()) text += ")";
  return text;
}

std::string tiers_text(const Json& tiers) {
  if (!tiers.is_object()) return "";
  return fmt::format("tiers ({}): objectives claim {} · achieved figures meet {}{}\n",
                     text_field(tiers, "table", "?"),
                     tier_assessment_text(field_of(tiers, "claimed")),
                     tier_assessment_text(field_of(tiers, "achieved")),
                     field_of(tiers, "plan_tier").is_string()
                         ? " · the plan states tier " + text_field(tiers, "plan_tier", "")
                         : "");
}

std::string record_text(const Json& record) {
  const Json& plan = field_of(record, "plan");
  std::string text = fmt::format(
      "drill {}\n  plan {} (sha256 {})\n  ran {} to {} ({}) on {} by {}, faultline {}\n"
      "  verdict {} (exit {}): {}\n",
      text_field(record, "id", "?"), text_field(plan, "name", "?"), text_field(plan, "sha256", "-"),
      text_field(record, "started_at", "-"), text_field(record, "ended_at", "-"),
      ms_figure(field_of(record, "duration_ms")), text_field(record, "host", "-"),
      text_field(record, "operator", "-"), text_field(record, "faultline_version", "-"),
      text_field(record, "verdict", "-"), json_text(field_of(record, "exit_code")),
      text_field(record, "reason", ""));
  text += continuity_text(field_of(field_of(record, "plan"), "continuity"));
  auto views = objective_views(field_of(record, "objectives"));
  if (!views.empty()) text += "objectives:\n";
  for (const auto& view : views) {
    text += fmt::format("  {:<13} target {:<10} achieved {:<14} {}\n", view.name, view.target,
                        view.achieved, view.status);
  }
  const Json& measurements = field_of(record, "measurements");
  if (measurements.is_object()) {
    text += fmt::format(
        "measured: rto {} · downtime {} · availability {} · resolution {}\n",
        ms_figure(field_of(measurements, "rto_ms")),
        ms_figure(field_of(measurements, "downtime_ms")),
        field_of(measurements, "availability_percent").is_number()
            ? fmt::format("{:.2f}%", number_field(measurements, "availability_percent", 0))
            : "-",
        ms_figure(field_of(measurements, "resolution_ms")));
  }
  return text + tiers_text(field_of(record, "tiers")) + faults_text(record) +
         outages_text(measurements) + timeline_text(record);
}

}  // namespace faultline

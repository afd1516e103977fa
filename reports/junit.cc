#include <fmt/format.h>

#include "reports/reports.h"
#include "runner/core/files.h"

namespace faultline {
namespace {

std::string xml_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most control characters even when escaped.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t') out += c;
    }
  }
  return out;
}

struct Case {
  std::string classname, name;
  double seconds = 0;
  std::string failure;  // empty: passed
  std::string kind;     // "failure" or "error"
};

std::string figure(const Json& value, const std::string& unit) {
  if (value.is_null()) return "not measured";
  return fmt::format("{:g} {}", value.get<double>(), unit);
}

std::vector<Case> cases_of(const Json& record) {
  std::string plan = record["plan"].value("name", "plan");
  std::vector<Case> cases;
  for (auto& [name, objective] : record["objectives"].items()) {
    bool ms = objective.contains("target_ms");
    std::string unit = ms ? "ms" : "%";
    const Json& target = ms ? objective["target_ms"] : objective["target_percent"];
    const Json& achieved = ms ? objective["achieved_ms"] : objective["achieved_percent"];
    Case c{"faultline." + plan + ".objectives", name, 0, "", "failure"};
    if (!objective.value("met", false)) {
      c.failure = fmt::format("{}: target {}, achieved {}", name, figure(target, unit),
                              figure(achieved, unit));
    }
    cases.push_back(c);
  }
  int recovered_after = record["steady_state"].value("recovered_after", 1);
  for (const auto& probe : record["probes"]) {
    const Json& samples = probe["samples"];
    int tail_failures = 0, considered = 0;
    for (auto it = samples.rbegin(); it != samples.rend() && considered < recovered_after;
         ++it, ++considered) {
      tail_failures += (*it).value("ok", false) ? 0 : 1;
    }
    Case c{"faultline." + plan + ".probes", probe.value("name", "probe"), 0, "", "failure"};
    const Json& summary = probe["summary"];
    if (considered < recovered_after || tail_failures > 0) {
      std::string last = samples.empty() ? "no samples" : samples.back().value("detail", "");
      c.failure = fmt::format(
          "steady state not restored: {} of the last {} samples failed (last: {}); {} passed, {} "
          "failed in all",
          tail_failures + (recovered_after - considered), recovered_after, last,
          summary.value("passed", 0), summary.value("failed", 0));
    }
    cases.push_back(c);
  }
  Case drill{"faultline." + plan, "drill", record.value("duration_ms", 0) / 1000.0, "", "error"};
  std::string verdict = record.value("verdict", "");
  if (verdict == "aborted" || verdict == "rollback_failed") {
    drill.failure = verdict + ": " + record.value("reason", "");
  } else if (verdict == "failed") {
    // A missed objective already fails its own case; the drill case fails only for
    // what no objective covers (the steady state never came back).
    bool objective_failed = false;
    for (const auto& c : cases)
      objective_failed =
          objective_failed || (!c.failure.empty() && c.classname.ends_with(".objectives"));
    if (!objective_failed) {
      drill.kind = "failure";
      drill.failure = record.value("reason", "");
    }
  }
  cases.push_back(drill);
  return cases;
}

}  // namespace

std::string junit_xml(const Json& record) {
  auto cases = cases_of(record);
  int failures = 0, errors = 0;
  for (const auto& c : cases) {
    if (c.failure.empty()) continue;
    (c.kind == "error" ? errors : failures)++;
  }
  std::string plan = record["plan"].value("name", "plan");
  double seconds = record.value("duration_ms", 0) / 1000.0;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuites name=\"faultline\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
      "time=\"{:.3f}\">\n",
      cases.size(), failures, errors, seconds);
  out += fmt::format(
      "  <testsuite name=\"faultline.{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
      "time=\"{:.3f}\" timestamp=\"{}\" hostname=\"{}\">\n",
      xml_escape(plan), cases.size(), failures, errors, seconds,
      xml_escape(record.value("started_at", "")), xml_escape(record.value("host", "")));
  out += "    <properties>\n";
  for (const char* key : {"id", "verdict", "exit_code", "reason"}) {
    std::string value =
        record[key].is_string() ? record[key].get<std::string>() : json_text(record[key]);
    out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", key, xml_escape(value));
  }
  out += fmt::format("      <property name=\"plan_sha256\" value=\"{}\"/>\n",
                     xml_escape(record["plan"].value("sha256", "")));
  out += "    </properties>\n";
  for (const auto& c : cases) {
    out += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"",
                       xml_escape(c.classname), xml_escape(c.name), c.seconds);
    if (c.failure.empty()) {
      out += "/>\n";
    } else {
      out +=
          fmt::format(">\n      <{} message=\"{}\" type=\"{}\">{}</{}>\n    </testcase>\n", c.kind,
                      xml_escape(c.failure), c.kind == "error" ? "drill_error" : "objective_missed",
                      xml_escape(c.failure), c.kind);
    }
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

Status write_junit(const Json& record, const std::string& path) {
  if (Status written = write_file_atomically(path, junit_xml(record)); !written) {
    return written.error().with_context("JUnit report");
  }
  return {};
}

}  // namespace faultline

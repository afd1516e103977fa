#include "reports/report/report_model.h"

#include <fmt/format.h>

#include <cmath>

#include "reports/json_fields.h"
#include "reports/record_text.h"

namespace faultline {
namespace {

ReportSection make_section(std::string id, std::string title) {
  ReportSection section;
  section.id = std::move(id);
  section.title = std::move(title);
  return section;
}

ReportTable make_table(std::vector<std::string> header) {
  ReportTable table;
  table.header = std::move(header);
  return table;
}

std::string offset(const Json& value) {
  return value.is_number() ? fmt::format("+{:.3f}s", value.get<double>() / 1000.0) : "-";
}

std::string any_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "-";
  return json_text(value);
}

void add_fact(ReportSection& section, const std::string& label, const std::string& value) {
  if (!value.empty() && value != "-") section.facts.emplace_back(label, value);
}

void add_row(ReportTable& table, std::vector<std::string> row, const std::string& state = "") {
  if (table.rows.size() >= kMaxTableRows) {
    ++table.omitted;
    return;
  }
  table.rows.push_back(std::move(row));
  table.row_classes.push_back(state);
}

ReportSection summary_section(const ReportSubject& subject) {
  const Json& record = subject.record;
  const Json& plan = field_of(record, "plan");
  ReportSection section = make_section("summary", "Summary");
  add_fact(section, "drill", text_field(record, "id", "?"));
  add_fact(section, "verdict",
           fmt::format("{} (exit {})", text_field(record, "verdict", "-"),
                       any_text(field_of(record, "exit_code"))));
  add_fact(section, "reason", text_field(record, "reason", ""));
  add_fact(
      section, "plan",
      text_field(plan, "name", "?") + (field_of(plan, "version").is_null()
                                           ? ""
                                           : " version " + any_text(field_of(plan, "version"))));
  add_fact(section, "plan sha256", text_field(plan, "sha256", ""));
  add_fact(section, "plan file", text_field(plan, "path", ""));
  add_fact(section, "description", text_field(plan, "description", ""));
  add_fact(section, "owner", text_field(plan, "owner", ""));
  add_fact(section, "runbook", text_field(plan, "runbook", ""));
  add_fact(
      section, "ran",
      fmt::format("{} to {} ({})", text_field(record, "started_at", "-"),
                  text_field(record, "ended_at", "-"), ms_figure(field_of(record, "duration_ms"))));
  add_fact(section, "host", text_field(record, "host", ""));
  add_fact(section, "operator", text_field(record, "operator", ""));
  add_fact(section, "target", text_field(record, "target", ""));
  add_fact(section, "faultline", text_field(record, "faultline_version", ""));
  if (subject.ledger.is_object()) {
    add_fact(
        section, "ledger",
        fmt::format("entry {} · hash {}{}", any_text(field_of(subject.ledger, "seq")),
                    text_field(subject.ledger, "hash", "-"),
                    bool_field(subject.ledger, "signed", false) ? " · signed" : " · unsigned") +
            (field_of(subject.ledger, "same_as_file") == Json(false)
                 ? " · THE FILE DIFFERS FROM THE LEDGER'S COPY OF THIS RECORD"
                 : ""));
  }
  add_fact(section, "read from", subject.store);
  const Json& notes = field_of(record, "notes");
  if (notes.is_array()) {
    for (const auto& note : notes) section.paragraphs.push_back("note: " + any_text(note));
  }
  const Json& leftovers = field_of(record, "leftovers");
  if (leftovers.is_array()) {
    for (const auto& left : leftovers) section.paragraphs.push_back("left over: " + any_text(left));
  }
  return section;
}

// Runs of one probe's rounds with the same outcome: from when the run's first outcome
// was known to when the next run's was (the last run ends at its last round).
void add_probe_spans(ReportTable& table, const Json& probe) {
  const Json& samples = field_of(probe, "samples");
  if (!samples.is_array()) return;
  std::string name = text_field(probe, "name", "?");
  double run_from = 0, last = 0;
  int state = -1;
  size_t count = 0;
  auto flush = [&](double to) {
    if (state < 0) return;
    add_row(table,
            {"probe " + name, state ? "passing" : "FAILING", offset(Json(run_from)),
             offset(Json(to)), fmt::format("{} round(s)", count)},
            state ? "met" : "missed");
  };
  for (const auto& sample : samples) {
    const Json& at = field_of(sample, "t_ms");
    if (!at.is_number()) continue;
    int ok = bool_field(sample, "ok", false) ? 1 : 0;
    if (ok != state) {
      flush(at.get<double>());
      state = ok;
      count = 0;
      run_from = at.get<double>();
    }
    ++count;
    last = at.get<double>();
  }
  flush(last);
}

ReportSection timeline_section(const Json& record) {
  ReportSection section = make_section("timeline", "Timeline");
  section.paragraphs.push_back(
      "Seconds since the drill started (monotonic clock). Probe rows pass or fail per round; "
      "fault rows run from inject to rollback; t0 is the first injection; a recovery point is "
      "the first of K passing rounds after an outage.");
  ReportTable spans = make_table({"row", "state", "from", "to", "what"});
  const Json& phases = field_of(record, "phases");
  if (phases.is_array()) {
    for (const auto& phase : phases) {
      add_row(spans,
              {"phase", text_field(phase, "name", "?"), offset(field_of(phase, "started_ms")),
               offset(field_of(phase, "ended_ms")), ""});
    }
  }
  const Json& probes = field_of(record, "probes");
  if (probes.is_array()) {
    for (const auto& probe : probes) add_probe_spans(spans, probe);
  }
  const Json& faults = field_of(record, "faults");
  if (faults.is_array()) {
    for (const auto& fault : faults) {
      add_row(spans, {"fault " + text_field(fault, "name", "?"), "injected",
                      offset(field_of(fault, "injected_at_ms")),
                      offset(field_of(fault, "rolled_back_at_ms")),
                      text_field(fault, "type", "?") + ": " + text_field(fault, "what", "")});
    }
  }
  const Json& measurements = field_of(record, "measurements");
  const Json& outages = field_of(measurements, "outages");
  if (outages.is_array()) {
    for (const auto& outage : outages) {
      add_row(spans,
              {"outage", "down", offset(field_of(outage, "began_ms")),
               offset(field_of(outage, "recovered_ms")),
               fmt::format(
                   "{}, fault {}; recovery point {}", ms_figure(field_of(outage, "duration_ms")),
                   text_field(outage, "fault", "-"), offset(field_of(outage, "recovered_ms")))},
              "missed");
    }
  }
  section.tables.push_back(std::move(spans));
  return section;
}

ReportSection objectives_section(const Json& record) {
  ReportSection section = make_section("objectives", "Objectives");
  ReportTable table = make_table({"objective", "target", "achieved", "status"});
  for (const auto& view : objective_views(field_of(record, "objectives"))) {
    std::string status = view.status == "not_evaluated" ? "not evaluated" : view.status;
    add_row(table, {view.name, view.target, view.achieved, status}, view.status);
  }
  if (table.rows.empty())
    section.paragraphs.push_back("The plan sets no objectives.");
  else
    section.tables.push_back(std::move(table));
  return section;
}

// RPO needs a write workload; say so rather than show a dash that reads like zero.
std::string rpo_figure(const Json& record) {
  const Json& measured = field_of(field_of(record, "measurements"), "rpo_ms");
  if (measured.is_number()) return ms_figure(measured);
  const Json& objective = field_of(field_of(record, "objectives"), "rpo");
  if (objective.is_object()) return objective_figure(objective, "achieved");
  return "not measured (the drill has no write workload)";
}

ReportSection measured_section(const Json& record) {
  ReportSection section = make_section("measured", "Measured");
  const Json& m = field_of(record, "measurements");
  add_fact(section, "RTO (the drill's: the largest of any fault)",
           ms_figure(field_of(m, "rto_ms")));
  add_fact(section, "RPO", rpo_figure(record));
  add_fact(section, "t0 (first fault injected)", offset(field_of(m, "t0_ms")));
  add_fact(section, "time to detect", ms_figure(field_of(m, "time_to_detect_ms")));
  add_fact(section, "recovery point", offset(field_of(m, "recovery_point_ms")));
  add_fact(section, "downtime", ms_figure(field_of(m, "downtime_ms")));
  if (field_of(m, "availability_percent").is_number()) {
    add_fact(section, "availability",
             fmt::format("{:.2f}% ({} of {} drill rounds passing)",
                         number_field(m, "availability_percent", 0),
                         any_text(field_of(m, "passing_rounds")),
                         any_text(field_of(m, "drill_rounds"))));
  }
  add_fact(section, "recovered", any_text(field_of(m, "recovered")));
  add_fact(section, "resolution",
           fmt::format("{} (probe interval), recovered after K={} passing rounds",
                       ms_figure(field_of(m, "resolution_ms")),
                       any_text(field_of(m, "recovered_after"))));
  if (section.facts.size() <= 2 && !m.is_object()) {
    section.paragraphs.push_back("The record has no measurements (the drill did not reach them).");
  }
  ReportTable faults = make_table({"fault", "type", "target", "injected", "rolled back", "rollback",
                                   "time to detect", "outages", "RTO"});
  const Json& list = field_of(record, "faults");
  if (list.is_array()) {
    for (const auto& fault : list) {
      const Json& outages = field_of(fault, "outages");
      add_row(faults, {text_field(fault, "name", "?"), text_field(fault, "type", "?"),
                       text_field(fault, "target", "-"), offset(field_of(fault, "injected_at_ms")),
                       offset(field_of(fault, "rolled_back_at_ms")),
                       text_field(field_of(fault, "rollback"), "outcome", "-"),
                       ms_figure(field_of(fault, "time_to_detect_ms")),
                       std::to_string(outages.is_array() ? outages.size() : 0),
                       ms_figure(field_of(fault, "rto_ms"))});
    }
  }
  if (!faults.rows.empty()) section.tables.push_back(std::move(faults));
  return section;
}

ReportSection continuity_section(const Json& record) {
  ReportSection section = make_section("continuity", "Continuity and recovery tiers");
  const Json& continuity = field_of(field_of(record, "plan"), "continuity");
  add_fact(section, "business service", text_field(continuity, "service", ""));
  add_fact(section, "impact", text_field(continuity, "impact", ""));
  add_fact(section, "scope", names_text(field_of(continuity, "scope")));
  std::string version = text_field(continuity, "emergency_plan_version", "");
  add_fact(section, "emergency plan",
           text_field(continuity, "emergency_plan", "") +
               (version.empty() ? "" : " version " + version));
  add_fact(section, "tier stated by the plan", text_field(continuity, "tier", ""));
  const Json& tiers = field_of(record, "tiers");
  if (tiers.is_object()) {
    add_fact(section, "tier table", text_field(tiers, "table", "?"));
    add_fact(section, "source", text_field(tiers, "source", ""));
    add_fact(section, "objectives claim", tier_assessment_text(field_of(tiers, "claimed")));
    add_fact(section, "achieved figures meet", tier_assessment_text(field_of(tiers, "achieved")));
  }
  ReportTable people = make_table({"participant", "role"});
  const Json& participants = field_of(continuity, "participants");
  if (participants.is_array()) {
    for (const auto& person : participants) {
      add_row(people, {text_field(person, "name", "?"), text_field(person, "role", "-")});
    }
  }
  if (!people.rows.empty()) section.tables.push_back(std::move(people));
  if (section.facts.empty() && section.tables.empty()) {
    section.paragraphs.push_back("The plan states no continuity metadata.");
  }
  return section;
}

ReportSection reviews_section(const ReportSubject& subject) {
  ReportSection section = make_section("reviews", "Reviews and corrective actions");
  ReportTable reviews = make_table({"by", "at", "lessons", "action raised"});
  if (subject.reviews.is_array()) {
    for (const auto& review : subject.reviews) {
      std::string lessons;
      const Json& list = field_of(review, "lessons");
      if (list.is_array()) {
        for (const auto& lesson : list) {
          if (lesson.is_string())
            lessons += (lessons.empty() ? "" : " · ") + lesson.get<std::string>();
        }
      }
      const Json& action = field_of(review, "action");
      add_row(reviews, {text_field(review, "by", "-"), text_field(review, "at", "-"),
                        lessons.empty() ? "-" : lessons,
                        action.is_object() ? text_field(action, "text", "-") : "-"});
    }
  }
  ReportTable actions = make_table({"id", "action", "owner", "due", "state", "closed"});
  if (subject.actions.is_array()) {
    for (const auto& action : subject.actions) {
      std::string state = text_field(action, "state", "-");
      std::string closed = state == "closed"
                               ? fmt::format("by {} at {}{}", text_field(action, "closed_by", "-"),
                                             text_field(action, "closed_at", "-"),
                                             text_field(action, "note", "").empty()
                                                 ? ""
                                                 : ": " + text_field(action, "note", ""))
                               : "-";
      add_row(actions,
              {text_field(action, "id", "?"), text_field(action, "action", "-"),
               text_field(action, "owner", "-"), text_field(action, "due", "-"), state, closed},
              state);
    }
  }
  if (reviews.rows.empty())
    section.paragraphs.push_back("No review has been recorded yet.");
  else
    section.tables.push_back(std::move(reviews));
  if (!actions.rows.empty()) section.tables.push_back(std::move(actions));
  return section;
}

ReportSection events_section(const Json& record) {
  ReportSection section = make_section("events", "Events");
  ReportTable events = make_table({"t", "at (UTC)", "kind", "name", "detail"});
  const Json& timeline = field_of(record, "timeline");
  if (timeline.is_array()) {
    for (const auto& event : timeline) {
      const Json& ok = field_of(event, "ok");
      add_row(events,
              {offset(field_of(event, "t_ms")), text_field(event, "at", "-"),
               text_field(event, "kind", ""), text_field(event, "name", ""),
               text_field(event, "detail", "")},
              ok.is_boolean() ? (ok.get<bool>() ? "" : "missed") : "");
    }
  }
  section.tables.push_back(std::move(events));
  return section;
}

}  // namespace

ReportModel report_model(const ReportSubject& subject) {
  const Json& record = subject.record;
  ReportModel model;
  model.title = "Drill report: " + text_field(field_of(record, "plan"), "name", "?");
  model.verdict = text_field(record, "verdict", "unknown");
  model.sections.push_back(summary_section(subject));
  model.sections.push_back(objectives_section(record));
  model.sections.push_back(timeline_section(record));
  model.sections.push_back(measured_section(record));
  model.sections.push_back(continuity_section(record));
  model.sections.push_back(reviews_section(subject));
  model.sections.push_back(events_section(record));
  return model;
}

}  // namespace faultline

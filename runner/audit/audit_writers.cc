// The audit as JSON, Markdown and HTML (audit.h).
#include <fmt/format.h>

#include "reports/record_text.h"
#include "reports/review_text.h"
#include "reports/xml_text.h"
#include "runner/audit/audit.h"

namespace faultline {
namespace {

Json schedule_json(const AuditedPlan& plan) {
  if (!plan.schedule) return nullptr;
  return Json{{"cron", plan.schedule->cron}, {"timezone", plan.schedule->timezone}};
}

Json drill_json(const AuditedDrill& drill) {
  return Json{{"id", drill.id},
              {"started_at", drill.started_at},
              {"verdict", drill.verdict},
              {"plan_sha256", drill.plan_sha256.empty() ? Json(nullptr) : Json(drill.plan_sha256)},
              {"objectives", drill.objectives}};
}

Json slot_json(const DueSlot& slot) {
  return Json{{"due_at", slot.due_at},
              {"due_local", slot.due_local},
              {"window_end", slot.window_end.empty() ? Json(nullptr) : Json(slot.window_end)},
              {"clock", slot.clock_note.empty() ? Json(nullptr) : Json(slot.clock_note)},
              {"state", !slot.held_by.empty() ? "held"
                        : slot.pending        ? "pending"
                                              : "missed"},
              {"held_by", slot.held_by.empty() ? Json(nullptr) : Json(slot.held_by)},
              {"unjudged_drills", slot.unjudged_drills}};
}

// A loaded plan's cron and zone hold no Markdown markup (schedule.h checks both).
std::string schedule_text(const AuditedPlan& plan) {
  if (!plan.schedule) return "none";
  return "`" + plan.schedule->cron + "` " + plan.schedule->timezone;
}

// Free text in a Markdown table cell or list item: no line breaks, no markup.
std::string md(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t') {
      out += ' ';
    } else if (std::string_view("\\`*_{}[]<>()#+!|~").find(c) != std::string_view::npos) {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out;
}

// One due time and what became of it; `escape` makes free text safe for the format.
std::string slot_line(const DueSlot& slot, std::string (*escape)(const std::string&)) {
  std::string line = "due " + escape(slot.due_local) + " (" + slot.due_at.substr(0, 16) + "Z)";
  if (!slot.clock_note.empty()) line += " — " + escape(slot.clock_note);
  if (!slot.held_by.empty()) return line + ": held by " + escape(slot.held_by);
  if (slot.pending) {
    line += ": pending, its window is still open";
  } else {
    std::string end = slot.window_end.empty() ? "-" : slot.window_end.substr(0, 16) + "Z";
    line += ": MISSED, no judged drill before " + end;
  }
  for (const auto& drill : slot.unjudged_drills) line += "; ran but not judged: " + escape(drill);
  return line;
}

std::string result_line(const AuditResult& audit) {
  if (audit.clean()) return "clean: every due drill held, every objective met, no action overdue";
  return fmt::format(
      "NOT clean: {} missed drill(s), {} drill(s) missed objectives, {} "
      "corrective action(s) overdue",
      audit.missed_drills(), audit.objectives_missed(), audit.overdue_actions());
}

}  // namespace

Json audit_json(const AuditResult& audit) {
  Json plans = Json::array();
  for (const auto& plan : audit.plans) {
    Json due = Json::array(), drills = Json::array(), missed = Json::array();
    for (const auto& slot : plan.due) due.push_back(slot_json(slot));
    for (const auto& drill : plan.drills) drills.push_back(drill_json(drill));
    for (const auto& drill : plan.objectives_missed) missed.push_back(drill_json(drill));
    plans.push_back(Json{{"name", plan.plan.name},
                         {"path", plan.plan.path},
                         {"sha256", plan.plan.sha256},
                         {"schedule", schedule_json(plan.plan)},
                         {"due", plan.due.size()},
                         {"due_truncated", plan.due_truncated},
                         {"held", plan.held()},
                         {"missed", plan.missed()},
                         {"executed", plan.drills.size()},
                         {"other_plan_versions", plan.other_plan_versions},
                         {"due_times", due},
                         {"drills", drills},
                         {"objectives_missed", missed},
                         {"overdue_actions", actions_json(plan.overdue_actions, audit.today)}});
  }
  Json others = Json::array();
  for (const auto& [name, count] : audit.other_plans)
    others.push_back(Json{{"plan", name}, {"drills", count}});
  return Json{{"since", audit.since},
              {"until", audit.until},
              {"today", audit.today},
              {"store", audit.store},
              {"plans", plans},
              {"other_plans", others},
              {"findings",
               {{"missed_drills", audit.missed_drills()},
                {"objectives_missed", audit.objectives_missed()},
                {"overdue_actions", audit.overdue_actions()}}},
              {"clean", audit.clean()}};
}

std::string audit_markdown(const AuditResult& audit) {
  std::string out = fmt::format("# Drill audit, {} to {} (UTC)\n\nstore {} · overdue as of {}\n\n",
                                audit.since, audit.until, md(audit.store), audit.today);
  out +=
      "| plan | schedule | due | held | missed | executed | objectives missed | overdue actions "
      "|\n";
  out += "|---|---|---|---|---|---|---|---|\n";
  for (const auto& plan : audit.plans) {
    out += fmt::format("| {} | {} | {}{} | {} | {} | {} | {} | {} |\n", md(plan.plan.name),
                       schedule_text(plan.plan), plan.due.size(), plan.due_truncated ? "+" : "",
                       plan.held(), plan.missed(), plan.drills.size(),
                       plan.objectives_missed.size(), plan.overdue_actions.size());
  }
  for (const auto& plan : audit.plans) {
    out += fmt::format("\n## {}\n\nplan file {} · sha256 {}\n", md(plan.plan.name),
                       md(plan.plan.path), plan.plan.sha256);
    if (!plan.plan.schedule) out += "\nno schedule: nothing is due, drills are listed as run\n";
    if (plan.other_plan_versions > 0) {
      out += fmt::format("\n{} drill(s) ran another version of the plan (another SHA-256)\n",
                         plan.other_plan_versions);
    }
    bool heading = false;
    for (const auto& slot : plan.due) {
      if (!slot.held_by.empty()) continue;
      if (!heading) out += "\nDue drills not held:\n\n", heading = true;
      out += "- " + slot_line(slot, md) + "\n";
    }
    if (plan.due_truncated)
      out += fmt::format("\nonly the first {} due times are listed\n", kMaxDueSlots);
    if (!plan.objectives_missed.empty()) out += "\nObjectives missed:\n\n";
    for (const auto& drill : plan.objectives_missed) {
      out += fmt::format("- {} started {}: {}\n", md(drill.id), drill.started_at,
                         md(objectives_line(drill.objectives)));
    }
    if (!plan.overdue_actions.empty()) out += "\nCorrective actions overdue:\n\n";
    for (const auto& action : plan.overdue_actions) {
      out += fmt::format("- {} (drill {}): {}; owner {}, due {}\n", action.id, md(action.drill_id),
                         md(action.text), md(action.owner), action.due);
    }
  }
  if (!audit.other_plans.empty()) {
    out += "\n## Drills of plans not audited\n\n";
    for (const auto& [name, count] : audit.other_plans)
      out += fmt::format("- {}: {} drill(s)\n", md(name), count);
  }
  out += "\n**" + result_line(audit) + "**\n";
  return out;
}

std::string audit_html(const AuditResult& audit) {
  auto h = [](const std::string& text) { return xml_escape(text); };
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Drill audit</title>"
      "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
      "td,th{border:1px solid #999;padding:.2em .5em}.bad{color:#b00}</style></head><body>\n";
  out += fmt::format("<h1>Drill audit, {} to {} (UTC)</h1>\n<p>store {} · overdue as of {}</p>\n",
                     h(audit.since), h(audit.until), h(audit.store), h(audit.today));
  out +=
      "<table><tr><th>plan</th><th>schedule</th><th>due</th><th>held</th><th>missed</th>"
      "<th>executed</th><th>objectives missed</th><th>overdue actions</th></tr>\n";
  for (const auto& plan : audit.plans) {
    std::string schedule =
        plan.plan.schedule ? plan.plan.schedule->cron + " " + plan.plan.schedule->timezone : "none";
    out += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td></tr>\n",
        h(plan.plan.name), h(schedule), plan.due.size(), plan.held(), plan.missed(),
        plan.drills.size(), plan.objectives_missed.size(), plan.overdue_actions.size());
  }
  out += "</table>\n";
  for (const auto& plan : audit.plans) {
    out += fmt::format("<h2>{}</h2>\n<p>plan file {} · sha256 {}</p>\n<ul>\n", h(plan.plan.name),
                       h(plan.plan.path), h(plan.plan.sha256));
    for (const auto& slot : plan.due) {
      if (slot.held_by.empty())
        out += "<li class=\"bad\">" + slot_line(slot, xml_escape) + "</li>\n";
    }
    for (const auto& drill : plan.objectives_missed) {
      out += fmt::format("<li class=\"bad\">objectives missed: {} started {}: {}</li>\n",
                         h(drill.id), h(drill.started_at), h(objectives_line(drill.objectives)));
    }
    for (const auto& action : plan.overdue_actions) {
      out += fmt::format(
          "<li class=\"bad\">action {} overdue (drill {}): {}; owner {}, due {}</li>\n",
          h(action.id), h(action.drill_id), h(action.text), h(action.owner), h(action.due));
    }
    out += "</ul>\n";
  }
  out += "<p><strong>" + h(result_line(audit)) + "</strong></p>\n</body></html>\n";
  return out;
}

}  // namespace faultline

// A drill report as one self-contained HTML page (see report.h), and as JSON.
#include <fmt/format.h>

#include <set>

#include "reports/report/page_text.h"
#include "reports/report/report_model.h"
#include "reports/report/timeline_svg.h"

namespace faultline {
namespace {

// A CSS class only from a fixed set: a record's own words never reach an attribute.
std::string state_class(const std::string& state) {
  static const std::set<std::string> kKnown = {"met",     "missed",          "overdue",
                                               "closed",  "passed",          "failed",
                                               "aborted", "rollback_failed", "interrupted"};
  return kKnown.count(state) ? state : "";
}

std::string table_html(const ReportTable& table) {
  std::string html = "<table>\n<tr>";
  for (const auto& name : table.header) html += "<th>" + html_text(name) + "</th>";
  html += "</tr>\n";
  for (size_t i = 0; i < table.rows.size(); ++i) {
    std::string css = state_class(table.row_classes[i]);
    html += css.empty() ? "<tr>" : "<tr class=\"" + css + "\">";
    for (const auto& cell : table.rows[i]) html += "<td>" + html_text(cell) + "</td>";
    html += "</tr>\n";
  }
  html += "</table>\n";
  if (table.omitted > 0) {
    html += fmt::format(
        "<p class=\"muted\">{} more row(s) not shown; the JSON report has them "
        "all.</p>\n",
        table.omitted);
  }
  return html;
}

std::string legend() {
  return "<p class=\"legend\"><span><i class=\"sw\" style=\"background:#2da44e\"></i>probe "
         "passing</span><span><i class=\"sw\" style=\"background:#cf222e\"></i>probe failing / "
         "outage</span><span><i class=\"sw\" style=\"background:#bf8700\"></i>fault (inject to "
         "rollback)</span><span><i class=\"sw\" style=\"background:#0969da\"></i>recovery "
         "point</span></p>\n";
}

std::string section_html(const ReportSection& section, const Json& record) {
  std::string html =
      "<section id=\"" + section.id + "\">\n<h2>" + html_text(section.title) + "</h2>\n";
  for (const auto& paragraph : section.paragraphs) html += "<p>" + html_text(paragraph) + "</p>\n";
  if (!section.facts.empty()) {
    html += "<table class=\"facts\">\n";
    for (const auto& [label, value] : section.facts) {
      html += "<tr><th>" + html_text(label) + "</th><td>" + html_text(value) + "</td></tr>\n";
    }
    html += "</table>\n";
  }
  if (section.id == "timeline") {
    std::string svg = timeline_svg(record);
    html += svg.empty() ? "<p class=\"muted\">Nothing to draw: the record has no probe samples "
                          "and no faults.</p>\n"
                        : svg + "\n" + legend();
  }
  bool folded = section.id == "timeline" || section.id == "events";
  for (const auto& table : section.tables) {
    if (folded) {
      html += fmt::format("<details><summary>{} row(s) as a table</summary>\n",
                          table.rows.size() + table.omitted);
    }
    html += table_html(table);
    if (folded) html += "</details>\n";
  }
  return html + "</section>\n";
}

}  // namespace

Json report_json(const ReportSubject& subject) {
  return Json{{"record", subject.record},
              {"ledger", subject.ledger},
              {"reviews", subject.reviews.is_array() ? subject.reviews : Json::array()},
              {"actions", subject.actions.is_array() ? subject.actions : Json::array()}};
}

std::string report_html(const ReportSubject& subject) {
  ReportModel model = report_model(subject);
  std::string verdict_class = state_class(model.verdict);
  std::string body = "<header>\n<h1>" + html_text(model.title) +
                     "</h1>\n<p><span class=\"verdict " +
                     (verdict_class.empty() ? "other" : verdict_class) + "\">" +
                     html_text(model.verdict) + "</span></p>\n</header>\n";
  for (const auto& section : model.sections) body += section_html(section, subject.record);
  body +=
      "<footer class=\"muted\"><p>Written by faultline report from the drill record; the "
      "record and its ledger entry are the evidence.</p></footer>\n";
  return html_page(model.title, body);
}

}  // namespace faultline

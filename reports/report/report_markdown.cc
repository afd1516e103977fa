// A drill report as Markdown, for tickets and wikis: the HTML report's content, with the
// timeline as a table of spans instead of a drawing.
#include <fmt/format.h>

#include "reports/report/page_text.h"
#include "reports/report/report_model.h"

namespace faultline {

std::string report_markdown(const ReportSubject& subject) {
  ReportModel model = report_model(subject);
  std::string md =
      "# " + md_text(model.title) + "\n\n**verdict: " + md_text(model.verdict) + "**\n\n";
  for (const auto& section : model.sections) {
    md += "## " + md_text(section.title) + "\n\n";
    for (const auto& paragraph : section.paragraphs) md += md_text(paragraph) + "\n\n";
    if (!section.facts.empty()) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& [label, value] : section.facts) rows.push_back({label, value});
      md += markdown_table({"field", "value"}, rows, 0);
    }
    for (const auto& table : section.tables)
      md += markdown_table(table.header, table.rows, table.omitted);
  }
  return md;
}

}  // namespace faultline

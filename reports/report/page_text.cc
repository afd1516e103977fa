#include "reports/report/page_text.h"

#include <fmt/format.h>

#include <cmath>
#include <string_view>
#include <vector>

#include "reports/xml_text.h"
#include "runner/core/text.h"

namespace faultline {

std::string html_text(const std::string& text) { return xml_escape(text); }

std::string md_text(const std::string& text) {
  // Markdown's own punctuation is backslash-escaped; markup characters become entities,
  // since most renderers pass raw HTML through.
  static constexpr std::string_view kPunctuation = "\\`*_[]|#!~";
  std::string out;
  for (char c : one_line(text)) {
    if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else if (c == '&')
      out += "&amp;";
    else if (kPunctuation.find(c) != std::string_view::npos)
      out += {'\\', c};
    else
      out += c;
  }
  return out;
}

std::string markdown_table(const std::vector<std::string>& header,
                           const std::vector<std::vector<std::string>>& rows, size_t omitted) {
  std::string md = "|";
  std::string rule = "|";
  for (const auto& name : header) {
    md += " " + md_text(name) + " |";
    rule += "---|";
  }
  md += "\n" + rule + "\n";
  for (const auto& row : rows) {
    md += "|";
    for (const auto& cell : row)
      md += " " + (cell.empty() ? std::string("-") : md_text(cell)) + " |";
    md += "\n";
  }
  if (omitted > 0)
    md += fmt::format("\n{} more row(s) not shown; the JSON report has them all.\n", omitted);
  return md + "\n";
}

std::string svg_number(double value) {
  if (!std::isfinite(value)) return "0";
  return fmt::format("{:.1f}", value);
}

std::string html_page(const std::string& title, const std::string& body) {
  // One page that prints and reads offline: no script, no font, no image but inline SVG.
  static const char* kStyle = R"(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;margin:24px auto;max-width:1100px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
.verdict{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600}
.passed,.met,.closed{color:#1a7f37}.failed,.missed,.overdue,.aborted,.rollback_failed,.interrupted{color:#cf222e}
.verdict.passed{background:#1a7f37;color:#fff}.verdict.failed,.verdict.aborted,.verdict.rollback_failed,.verdict.interrupted{background:#cf222e;color:#fff}
.verdict.other{background:#6e7781}.muted{color:#656d76}svg{display:block;max-width:100%;height:auto;border:1px solid #d0d7de;background:#fff}
.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;height:12px;vertical-align:-1px;margin-right:4px}
)";
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         // Nothing runs and nothing loads, even if a text escaped its escaping.
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'\">\n<title>" +
         html_text(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n" + body +
         "</body>\n</html>\n";
}

}  // namespace faultline

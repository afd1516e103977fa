#pragma once
// What a drill report says, apart from how it is drawn: sections of facts and tables of
// plain text, built once from the record and rendered as HTML (report_html.cc) or
// Markdown (report_markdown.cc), which escape every text as their format needs. So the
// two formats cannot drift apart, and no writer puts unescaped text anywhere.
#include <string>
#include <utility>
#include <vector>

#include "reports/report/report.h"

namespace faultline {

struct ReportTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row_classes;  // per row, "" or a state (met, missed, ...)
  size_t omitted = 0;                    // rows left out to keep the report bounded
};

struct ReportSection {
  std::string id;  // also the HTML anchor: summary, timeline, objectives, ...
  std::string title;
  std::vector<std::pair<std::string, std::string>> facts;
  std::vector<std::string> paragraphs;
  std::vector<ReportTable> tables;
};

struct ReportModel {
  std::string title;    // "Drill report: PLAN"
  std::string verdict;  // passed, failed, ...
  std::vector<ReportSection> sections;
};

ReportModel report_model(const ReportSubject& subject);

// At most this many rows per table (events, spans); the rest are counted in `omitted`.
constexpr size_t kMaxTableRows = 500;

}  // namespace faultline

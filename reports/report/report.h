#pragma once
// Reports of drill records for people: one drill (HTML with an SVG timeline, Markdown for
// tickets and wikis, JSON) and one plan's trend across its drills (HTML with an SVG
// chart, Markdown). The HTML is one self-contained page: inline CSS and SVG, no script,
// no external asset. Every text that comes from a plan, a probe or a review is escaped,
// so a plan name holding "<script>" or "</svg>" stays text. The writers read the record
// with the never-throwing helpers of reports/json_fields.h: any JSON gives a report.
#include <string>
#include <vector>

#include "runner/core/json.h"

namespace faultline {

// One drill and what the ledger says about it.
struct ReportSubject {
  Json record;
  Json ledger;        // {seq, hash, signed} of its entry; null for a record read from a file
  Json reviews;       // reviews_of(): [{seq, by, at, lessons, action}]
  Json actions;       // actions_json()
  std::string store;  // where it was read from, as shown ("sqlite:/...", a file path)
};

// {record, ledger, reviews, actions}, as `records show --json` prints it.
Json report_json(const ReportSubject& subject);
std::string report_html(const ReportSubject& subject);
std::string report_markdown(const ReportSubject& subject);

// One drill of a plan, as its ledger entry summarises it.
struct TrendDrill {
  std::string id, started_at, verdict;
  Json objectives;  // the record's "objectives"
};

// Achieved against target of every objective measured in time (rto, rpo, ...) across
// `drills` (oldest first), and every other objective (availability) in the table.
std::string trend_html(const std::string& plan, const std::vector<TrendDrill>& drills,
                       const std::string& store);
std::string trend_markdown(const std::string& plan, const std::vector<TrendDrill>& drills,
                           const std::string& store);

}  // namespace faultline

#pragma once
// How the records commands and the report writers show a record's figures, read
// generically from the record JSON: an objective is whatever the record's "objectives"
// object holds (rto, availability, rpo, ...), with its unit in its field names
// (target_ms, achieved_percent). Never throws, whatever the JSON holds.
#include <string>
#include <vector>

#include "runner/core/json.h"

namespace faultline {

struct ObjectiveView {
  std::string name;
  std::string unit;      // "ms", "percent", or what the field names say
  std::string target;    // "5s", "99.00%", "-" when absent
  std::string achieved;  // "1.301s", "not measured"
  std::string status;    // met, missed, not_evaluated
};

// The objectives of a record (or of a record entry's summary), in the record's order.
std::vector<ObjectiveView> objective_views(const Json& objectives);

// One figure of an objective: `prefix` "target" or "achieved" ("not measured" when null).
std::string objective_figure(const Json& objective, const std::string& prefix);

// "rto 1.301s/5s met · availability 84.00%/50.00% met"
std::string objectives_line(const Json& objectives);

// A millisecond figure as the summary prints it ("1.301s", "250ms"), "-" when null.
std::string ms_figure(const Json& value);

// A record as `faultline records show` prints it: who ran which plan (and its hash) where
// and when, the verdict, objectives target vs achieved, each fault with its RTO, the
// outages and the timeline.
std::string record_text(const Json& record);

// The strings of a JSON array, joined by ", " (other items skipped).
std::string names_text(const Json& list);

// "tier 6 (on rto; without rpo)", or "no tier": one assessment of a record's "tiers".
std::string tier_assessment_text(const Json& assessment);

// "tiers (TABLE): objectives claim tier 6 (on rto; without rpo) · achieved figures meet ..."
std::string tiers_text(const Json& tiers);

}  // namespace faultline

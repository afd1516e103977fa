#pragma once
// Recovery tiers: a table of thresholds on objectives (RTO, RPO, by the objective names a
// record uses), from the least demanding tier to the most. A team sets its own table
// (read_tier_table); the default is the disaster-recovery capability levels of
// GB/T 20988-2007, Appendix A (README "Recovery tiers" says how each threshold was read).
#include <map>
#include <string>
#include <vector>

#include "runner/core/json.h"
#include "runner/core/result.h"

namespace faultline {

struct Tier {
  std::string name;
  std::map<std::string, double> max_ms;  // objective name -> largest value that meets it
};

struct TierTable {
  std::string name, source;
  std::vector<Tier> tiers;  // least demanding first
};

const TierTable& default_tier_table();

// A JSON file: {"name": ..., "source": ..., "tiers": [{"name": "1", "rto": "48h",
// "rpo": "30m"}, ...]}, least demanding first; durations as plans write them. Errors name
// the file and the field.
Result<TierTable> read_tier_table(const std::string& path);

// Which tier the record's achieved figures meet, which its objectives' targets claim, and
// the tier its plan states (continuity.tier), judged on the figures the record has (a
// figure it did not measure is listed, not guessed):
// {"table", "source", "plan_tier", "achieved": {"tier", "judged_on", "not_measured"},
//  "claimed": {...}}. A tier is null when not even the least demanding is met.
Json assess_tiers(const Json& record, const TierTable& table);

}  // namespace faultline

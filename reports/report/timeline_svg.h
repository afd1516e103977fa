#pragma once
// The timeline of one drill as an inline SVG: the phases, one row per steady-state probe
// (passing or failing over time, from its samples), one row per fault (inject to
// rollback), the outages, t0 and the recovery points, on one axis in seconds since the
// drill started. Its size is bounded whatever the record holds: each probe row is drawn
// from at most a fixed number of columns (a column with any failing sample is failing),
// and at most kMaxTimelineRows probes and faults are drawn (the rest are counted).
#include <string>

#include "runner/core/json.h"

namespace faultline {

constexpr size_t kMaxTimelineRows = 40;

// The <svg> element, or "" when the record has nothing to draw (no samples, no faults).
std::string timeline_svg(const Json& record);

}  // namespace faultline

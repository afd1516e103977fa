#pragma once
// When each fault fires. `at: 2s` is an offset from the end of the baseline;
// `after: NAME + 1s` is an offset from when fault NAME fires. The schedule turns every
// `after` into an absolute offset and puts the faults in firing order.
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "runner/core/duration.h"
#include "runner/core/result.h"
#include "runner/plan/plan.h"

namespace faultline {

struct AfterClause {
  std::string fault;  // the fault this one follows
  Millis delay{0};
};

// Reads "NAME" or "NAME + DURATION" (spaces around '+' optional). The error message
// reads on after the fault's label: "after must be 'FAULT' or 'FAULT + DURATION', not
// 'x - 1s'", "after: invalid duration '...'".
Result<AfterClause> parse_after(std::string_view text);

// A fault the schedule could not place, with why ("fault 'b' is part of an 'after'
// cycle"). The loader reports it at that fault's `after:`.
struct ScheduleProblem {
  std::string fault;
  std::string message;
};

// On entry each fault's `at` is its own offset, from the baseline or (when `after` is
// set) from the fault it follows; on return it is absolute, and `faults` are in firing
// order (equal offsets keep the order they were written in). Faults after an unknown
// name, in a cycle, or whose offset would pass kMaxDuration are problems; a fault after
// one in `left_out` (a fault left out of the plan for its own errors), or after one with
// a problem, is not reported again. Fault names must be unique.
std::vector<ScheduleProblem> schedule_faults(std::vector<FaultSpec>& faults,
                                             const std::set<std::string>& left_out);

}  // namespace faultline

#pragma once
// Judging a record for JUnit: which test cases it has and how each came out. Separate
// from the XML (junit.cc) so the judgement reads in one place.
#include <string>
#include <vector>

#include "runner/core/json.h"

namespace faultline {

enum class Outcome { passed, failed, error, skipped };

struct Case {
  std::string classname, name;
  double seconds = 0;
  Outcome outcome = Outcome::passed;
  std::string message;  // why it failed, errored or was skipped
  std::string type;     // the failure or error type CI shows beside the message
};

// One case per objective, one per steady-state probe, and the drill's case last.
// Objective and probe cases are skipped when the drill stopped before its figures meant
// anything (aborted, interrupted, or an objective not evaluated); a missed objective
// fails; a probe fails unless it passed its last K samples; the drill case is an error
// for any verdict but passed and failed. Never throws, whatever the record holds.
std::vector<Case> junit_cases(const Json& record);

// The plan's name, or "plan" when the record has none.
std::string plan_name(const Json& record);

// Seconds from a millisecond field, never negative (0 when missing).
double seconds_of(const Json& object, const char* key);

}  // namespace faultline

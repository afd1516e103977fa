#pragma once
// Signal names as plans and records write them ("KILL", "TERM").
#include <string>

#include "runner/core/result.h"

namespace faultline {

// "KILL" for 9; the number as text for signals without a common name.
std::string signal_name(int signal);
// "KILL", "SIGKILL", "9" -> 9; an error naming the accepted forms otherwise.
Result<int> parse_signal(const std::string& text);

}  // namespace faultline

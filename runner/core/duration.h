#pragma once
// Durations as plans write them: "250ms", "2s", "1.5s", "1m30s", "2h".
#include <chrono>
#include <string>
#include <string_view>

#include "runner/core/result.h"

namespace faultline {

using Millis = std::chrono::milliseconds;
using MonoClock = std::chrono::steady_clock;
using MonoTime = MonoClock::time_point;

// Accepts one or more <number><unit> parts, units ms, s, m, h, in descending order;
// a decimal fraction is allowed when it resolves to whole milliseconds.
Result<Millis> parse_duration(std::string_view text);

// The shortest exact form: "250ms", "2s", "1m30s", "1.5s".
std::string format_duration(Millis duration);

// Milliseconds with three decimals between two monotonic instants.
double elapsed_ms(MonoTime from, MonoTime to);

}  // namespace faultline

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

// No duration in a plan, and no sum of them (`after: a + 1s` chains), may exceed this.
// A drill is hours long at most; the bound keeps every offset far from overflowing the
// clocks' nanosecond counts (int64 overflows after 292 years, and `at: 2562048h` did).
constexpr Millis kMaxDuration = std::chrono::hours(24 * 30);

// Accepts one or more <number><unit> parts, units ms, s, m, h, in descending order;
// a decimal fraction is allowed when it resolves to whole milliseconds. Fails past
// kMaxDuration.
Result<Millis> parse_duration(std::string_view text);

// a + b, or an error when the sum passes kMaxDuration (or either is negative).
Result<Millis> add_durations(Millis a, Millis b);

// The shortest exact form: "250ms", "2s", "1m30s", "1.5s".
std::string format_duration(Millis duration);

// Milliseconds with three decimals between two monotonic instants.
double elapsed_ms(MonoTime from, MonoTime to);

// The monotonic instant `offset_ms` after `origin` (offsets as the recorder keeps them).
MonoTime at_offset(MonoTime origin, double offset_ms);

}  // namespace faultline

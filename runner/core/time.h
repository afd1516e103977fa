#pragma once
#include <chrono>
#include <string>
#include <string_view>

#include "runner/core/result.h"

namespace faultline {

using WallClock = std::chrono::system_clock;
using WallTime = WallClock::time_point;

// "2026-11-24T10:25:53.123Z"
std::string utc_iso8601(WallTime when);

// Reads a UTC date or time as an auditor types it: "2026-11-24", "2026-11-24T10:25Z",
// "2026-11-24T10:25:53Z", "2026-11-24T10:25:53.123Z" (the Z may be left out; the time is
// UTC either way). Fails with a message that shows the accepted forms.
Result<WallTime> parse_utc_time(std::string_view text);

// Whether `text` is a date alone ("2026-11-24"): as an end (--until), it means the end of
// that day.
bool is_date_only(std::string_view text);

// The UTC calendar date of `when`: "2026-11-24".
std::string utc_date(WallTime when);

}  // namespace faultline

#pragma once
#include <chrono>
#include <string>

namespace faultline {

using WallClock = std::chrono::system_clock;
using WallTime = WallClock::time_point;

// "2026-11-24T10:25:53.123Z"
std::string utc_iso8601(WallTime when);

}  // namespace faultline

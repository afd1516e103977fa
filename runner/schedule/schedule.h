#pragma once
// When a drill is due: a cron expression read in an IANA time zone. One parser and one
// "due times between A and B" for plans (the `schedule:` section), `faultline audit`, and
// the scheduler daemon to come.
//
// An expression has five fields, as in crontab(5): minute (0-59), hour (0-23), day of
// month (1-31), month (1-12 or JAN-DEC), day of week (0-7 or SUN-SAT; 0 and 7 are Sunday).
// A field is `*`, a number, a range `a-b`, a step `*/n` or `a-b/n`, or a list of those
// (`1,15-20,*/7`); names are accepted in any case. `@yearly` (`@annually`), `@monthly`,
// `@weekly`, `@daily` (`@midnight`) and `@hourly` stand for their usual expressions. As in
// crontab(5), when both day fields are restricted (neither begins with `*`) a day is due if
// either matches ("1 * MON" = the 1st and every Monday). Refused: a step with no range
// (`5/15`: write `5-59/15`), a range that runs backwards, a step of 0, and an expression
// that can never be due (`0 0 31 4 *`).
//
// Times are wall-clock times in the schedule's zone (Howard Hinnant's date/tz, reading the
// system's zoneinfo). Each local time the expression matches is due once:
//  - a local time the clock skips (spring forward) is due at the first instant after the
//    gap (02:30 on the day Europe/Berlin goes from 02:00 to 03:00 is due at 03:00 CEST);
//    several skipped times are due once, there;
//  - a local time that happens twice (fall back) is due at its first occurrence only
//    (01:30 ... on the night the clock goes back is due once, in summer time).
//
// Thread-safety: a Schedule is immutable; its methods may be called from any thread.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/core/result.h"
#include "runner/core/time.h"

namespace date {
class time_zone;
}

namespace faultline {

// A parsed cron expression: which minutes, hours, days, months and weekdays match.
struct CronExpression {
  uint64_t minutes = 0;          // bit m: minute m
  uint32_t hours = 0;            // bit h
  uint32_t days_of_month = 0;    // bit d, 1-31
  uint16_t months = 0;           // bit m, 1-12
  uint8_t days_of_week = 0;      // bit w, 0-6 (Sunday = 0)
  bool any_day_of_month = true;  // the field began with `*`
  bool any_day_of_week = true;
};

// Parses `text`. On failure the Error says what is wrong in the expression's terms, and
// `*error_offset` (when given) is the byte in `text` the problem starts at.
Result<CronExpression> parse_cron(std::string_view text, size_t* error_offset = nullptr);

// One time a schedule is due.
struct DueTime {
  WallTime at;        // the instant (UTC)
  std::string local;  // the local time the expression matched: "2026-03-29 02:30"
  enum class Shift {
    none,
    after_gap,     // `local` did not exist that day: due at the end of the gap
    first_of_two,  // `local` happened twice: due at the first
  } shift = Shift::none;
};

class Schedule {
 public:
  // `cron` in the IANA zone `zone` ("Europe/Berlin", "UTC"). An unknown zone fails with
  // a suggestion; a bad expression as parse_cron does (offset into `cron`).
  static Result<Schedule> make(std::string_view cron, std::string_view zone,
                               size_t* cron_error_offset = nullptr);

  const std::string& cron() const { return cron_; }
  const std::string& zone() const { return zone_name_; }

  // The due times in [from, until), earliest first, at most `limit` of them.
  std::vector<DueTime> due_between(WallTime from, WallTime until, size_t limit) const;
  // The first due time after `after` (strictly).
  std::optional<DueTime> next_after(WallTime after) const;

  // `when` as a local time in the zone with its abbreviation: "2026-03-29 03:00 CEST".
  std::string local_text(WallTime when) const;

 private:
  Schedule() = default;
  CronExpression expression_;
  std::string cron_, zone_name_;
  const date::time_zone* zone_ = nullptr;
};

// "schedule "30 2 * * *" in Europe/Berlin; next due: 2026-11-26 02:30 CET, ..." with the
// next `count` due times after `now`, each saying when the clock skipped or repeated it.
std::string describe_next_due(const Schedule& schedule, WallTime now, size_t count);

// Whether `zone` names a time zone here; fails (not_found) with a suggestion otherwise.
Status check_time_zone(std::string_view zone);

}  // namespace faultline

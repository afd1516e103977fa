// Due times of a cron expression in a time zone (schedule.h), on Howard Hinnant's date/tz.
#include "runner/schedule/schedule.h"

#include <date/date.h>
#include <date/tz.h>
#include <fmt/format.h>

#include <exception>

#include "runner/core/suggest.h"

namespace faultline {
namespace {

using Seconds = std::chrono::seconds;
// The longest stretch without a due time: February 29 in a leap year that follows a
// century without one (2096 -> 2104) is 8 years apart.
constexpr auto kLongestGap = date::days(9 * 366);

Result<const date::time_zone*> find_zone(std::string_view name) {
  if (name.empty()) {
    return Error(ErrorCode::invalid, "the time zone is empty (an IANA name: Europe/Berlin, UTC)");
  }
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
  }
  std::vector<std::string> names;
  try {
    for (const auto& zone : date::get_tzdb().zones) names.push_back(std::string(zone.name()));
  } catch (const std::exception& error) {
    return Error(ErrorCode::not_found,
                 fmt::format("cannot read the time zone database: {}", error.what()));
  }
  return Error(ErrorCode::not_found,
               fmt::format("unknown time zone '{}' (an IANA name from /usr/share/zoneinfo: "
                           "Europe/Berlin, America/New_York, UTC){}",
                           name, did_you_mean(name, names)));
}

bool day_matches(const CronExpression& cron, date::year_month_day day) {
  unsigned month = static_cast<unsigned>(day.month());
  if (!(cron.months >> month & 1)) return false;
  bool dom = cron.days_of_month >> static_cast<unsigned>(day.day()) & 1;
  bool dow = cron.days_of_week >> date::weekday(day).c_encoding() & 1;
  // crontab(5): both restricted -> either; else both (an unrestricted one is all ones).
  if (!cron.any_day_of_month && !cron.any_day_of_week) return dom || dow;
  return dom && dow;
}

std::string local_label(date::local_seconds when) { return date::format("%Y-%m-%d %H:%M", when); }

}  // namespace

Status check_time_zone(std::string_view zone) {
  auto found = find_zone(zone);
  if (!found) return found.error();
  return {};
}

Result<Schedule> Schedule::make(std::string_view cron, std::string_view zone,
                                size_t* cron_error_offset) {
  auto expression = parse_cron(cron, cron_error_offset);
  if (!expression) return expression.error();
  auto found = find_zone(zone);
  if (!found) return found.error();
  Schedule schedule;
  schedule.expression_ = *expression;
  schedule.cron_ = std::string(cron);
  schedule.zone_name_ = std::string(zone);
  schedule.zone_ = *found;
  return schedule;
}

std::vector<DueTime> Schedule::due_between(WallTime from, WallTime until, size_t limit) const {
  std::vector<DueTime> due;
  if (limit == 0 || until <= from) return due;
  auto from_s = date::floor<Seconds>(from);
  if (from_s < from) from_s += Seconds(1);  // due times are whole seconds: the first >= from
  auto until_s = date::ceil<Seconds>(until);
  // Local days that can hold an instant in [from, until): one either side covers any offset.
  auto first_day = date::floor<date::days>(zone_->to_local(from_s)) - date::days(1);
  auto last_day = date::floor<date::days>(zone_->to_local(until_s)) + date::days(1);
  std::optional<date::sys_seconds> last;
  for (auto day = first_day; day <= last_day; day += date::days(1)) {
    if (!day_matches(expression_, date::year_month_day(date::sys_days(day.time_since_epoch())))) {
      continue;
    }
    for (int hour = 0; hour < 24; ++hour) {
      if (!(expression_.hours >> hour & 1)) continue;
      for (int minute = 0; minute < 60; ++minute) {
        if (!(expression_.minutes >> minute & 1)) continue;
        date::local_seconds local = day + std::chrono::hours(hour) + std::chrono::minutes(minute);
        date::local_info info = zone_->get_info(local);
        DueTime item;
        date::sys_seconds at;
        if (info.result == date::local_info::nonexistent) {
          at = info.second.begin;
          item.shift = DueTime::Shift::after_gap;
        } else {
          at = date::sys_seconds((local - info.first.offset).time_since_epoch());
          if (info.result == date::local_info::ambiguous) item.shift = DueTime::Shift::first_of_two;
        }
        if (at < from_s) continue;
        if (at >= until_s) return due;
        if (last && at == *last) continue;  // several skipped times: due once, after the gap
        last = at;
        item.at = WallTime(std::chrono::duration_cast<WallClock::duration>(at.time_since_epoch()));
        item.local = local_label(local);
        due.push_back(std::move(item));
        if (due.size() == limit) return due;
      }
    }
  }
  return due;
}

std::optional<DueTime> Schedule::next_after(WallTime after) const {
  auto start = date::floor<Seconds>(after) + Seconds(1);
  auto found = due_between(WallTime(start), WallTime(start + kLongestGap), 1);
  if (found.empty()) return std::nullopt;
  return found.front();
}

std::string Schedule::local_text(WallTime when) const {
  auto zoned = date::make_zoned(zone_, date::floor<Seconds>(when));
  return date::format("%Y-%m-%d %H:%M %Z", zoned);
}

std::string describe_next_due(const Schedule& schedule, WallTime now, size_t count) {
  std::string out =
      fmt::format("schedule \"{}\" in {}; next due:", schedule.cron(), schedule.zone());
  auto after = now;
  for (size_t i = 0; i < count; ++i) {
    auto due = schedule.next_after(after);
    if (!due) break;
    out += (i ? ", " : " ") + schedule.local_text(due->at);
    std::string time = due->local.substr(11);
    if (due->shift == DueTime::Shift::after_gap) out += " (" + time + " is skipped that day)";
    if (due->shift == DueTime::Shift::first_of_two) out += " (the first of two " + time + "s)";
    after = due->at;
  }
  return out;
}

}  // namespace faultline

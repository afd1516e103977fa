// Cron expressions and their due times in a time zone, with the DST edges decided on
// purpose (runner/schedule/schedule.h): a skipped local time is due once after the gap, a
// repeated one once, at its first occurrence.
#include "runner/schedule/schedule.h"

#include <catch2/catch.hpp>

using namespace faultline;

namespace {

WallTime utc(const std::string& text) { return *parse_utc_time(text); }

std::vector<std::string> due_utc(const Schedule& schedule, const std::string& from,
                                 const std::string& until, size_t limit = 100) {
  std::vector<std::string> out;
  for (const DueTime& due : schedule.due_between(utc(from), utc(until), limit))
    out.push_back(utc_iso8601(due.at).substr(0, 16));
  return out;
}

Schedule schedule(const std::string& cron, const std::string& zone) {
  auto made = Schedule::make(cron, zone);
  INFO(cron << " " << zone << ": " << (made ? "" : made.error().message));
  REQUIRE(made.ok());
  return *made;
}

// The parse error and the byte it points at.
std::pair<std::string, size_t> cron_error(const std::string& text) {
  size_t offset = 999;
  auto parsed = parse_cron(text, &offset);
  REQUIRE_FALSE(parsed.ok());
  return {parsed.error().message, offset};
}

}  // namespace

TEST_CASE("cron fields: numbers, ranges, steps, lists, names, and Sunday as 0 or 7") {
  auto cron = parse_cron("*/15 9-17/4 1,15 jan-MAR,dec Mon-fri");
  REQUIRE(cron.ok());
  CHECK(cron->minutes == ((1ull << 0) | (1ull << 15) | (1ull << 30) | (1ull << 45)));
  CHECK(cron->hours == ((1u << 9) | (1u << 13) | (1u << 17)));
  CHECK(cron->days_of_month == ((1u << 1) | (1u << 15)));
  CHECK(cron->months == ((1u << 1) | (1u << 2) | (1u << 3) | (1u << 12)));
  CHECK(cron->days_of_week == 0b0111110);
  CHECK_FALSE(cron->any_day_of_month);
  CHECK_FALSE(cron->any_day_of_week);
  CHECK(parse_cron("0 0 * * 7")->days_of_week == 1);
  CHECK(parse_cron("0 0 * * 5-7")->days_of_week == 0b1100001);
  CHECK(parse_cron("0 0 * * SUN")->days_of_week == 1);
  CHECK(parse_cron("\t0  0 * *\t*  ")->minutes == 1);
  CHECK(parse_cron("*/90 * * * *")->minutes == 1);  // a step past the field: only its start
  // The usual macros.
  CHECK(parse_cron("@daily")->hours == 1);
  CHECK(parse_cron("@Hourly")->hours == 0xffffff);
  CHECK(parse_cron("@weekly")->days_of_week == 1);
  CHECK(parse_cron("@monthly")->days_of_month == 2);
  CHECK(parse_cron("@yearly")->months == 2);
  CHECK(parse_cron("@annually")->months == 2);
  CHECK(parse_cron("@midnight")->minutes == 1);
}

TEST_CASE("hostile cron expressions are refused, saying what and where") {
  using P = std::pair<std::string, size_t>;
  CHECK(cron_error("") ==
        P{"the cron expression is empty (e.g. \"30 2 * * MON-FRI\" or @daily)", 0});
  CHECK(cron_error("0 2 * *") ==
        P{"a cron expression has 5 fields (minute hour day-of-month month day-of-week) or is an "
          "@macro; this one has 4",
          0});
  CHECK(cron_error("0 2 * * * 2026").second == 10);  // Quartz's year field
  CHECK(cron_error("61 2 * * *") == P{"minute 61 is out of range 0-59", 0});
  CHECK(cron_error("0 24 * * *") == P{"hour 24 is out of range 0-23", 2});
  CHECK(cron_error("0 0 0 * *") == P{"day of month 0 is out of range 1-31", 4});
  CHECK(cron_error("0 0 * 13 *") == P{"month 13 is out of range 1-12 or JAN-DEC", 6});
  CHECK(cron_error("0 0 * * 8") == P{"day of week 8 is out of range 0-7 or SUN-SAT", 8});
  CHECK(cron_error("0 0 * * MOX") ==
        P{"unknown day of week 'MOX' (0-7 or SUN-SAT), did you mean 'MON'?", 8});
  CHECK(cron_error("JAN 0 * * *") == P{"minute takes numbers 0-59, not 'JAN'", 0});
  CHECK(cron_error("5/15 * * * *") == P{"a step needs a range or '*': write 5-59/15 or */15", 0});
  CHECK(cron_error("*/0 * * * *") == P{"a step must be at least 1", 2});
  CHECK(cron_error("*/x * * * *").first == "a step is a number from 1 to 59, not 'x'");
  CHECK(cron_error("0 17-9 * * *") ==
        P{"hour range 17-9 runs backwards (write the smaller value first)", 2});
  CHECK(cron_error("0 0 1,,2 * *") == P{"empty item in the day of month list", 6});
  CHECK(cron_error("0 0 -5 * *") == P{"day of month needs a value here (1-31)", 4});
  CHECK(cron_error("99999999999999999999 * * * *").first ==
        "minute '99999999999999999999' is out of range 0-59");
  CHECK(cron_error("1a * * * *") == P{"unexpected 'a' in minute '1a'", 1});
  CHECK(cron_error("0 0 * * *\n0 1 * * *") == P{"unexpected byte 0x0a in a cron expression", 9});
  CHECK(cron_error("0 0 * * \xc3\xa9").second == 8);
  CHECK(cron_error(std::string(300, '*')).first == "a cron expression is at most 256 characters");
  CHECK(cron_error("@reboot").first ==
        "@reboot is not a time: a drill schedule needs times it is due");
  CHECK(cron_error("  @dayly") ==
        P{"unknown cron macro '@dayly' (@yearly, @annually, @monthly, @weekly, @daily, "
          "@midnight, @hourly), did you mean '@daily'?",
          2});
  // Never due: no month it names has that day.
  CHECK(cron_error("0 0 31 4,6 *") ==
        P{"this expression is never due: no month it names has day 31 (February has at most 29 "
          "days; April, June, September and November 30)",
          4});
  CHECK(cron_error("0 0 30 FEB *").second == 4);
  // ... but with a weekday as well, either matches (crontab(5)), so it is due on Mondays.
  CHECK(parse_cron("0 0 30 FEB MON").ok());
}

TEST_CASE("unknown time zones are refused with a suggestion") {
  auto made = Schedule::make("0 2 * * *", "Europe/Berln");
  REQUIRE_FALSE(made.ok());
  CHECK(made.error().message ==
        "unknown time zone 'Europe/Berln' (an IANA name from /usr/share/zoneinfo: "
        "Europe/Berlin, America/New_York, UTC), did you mean 'Europe/Berlin'?");
  CHECK_FALSE(Schedule::make("0 2 * * *", "../../etc/passwd").ok());
  CHECK_FALSE(Schedule::make("0 2 * * *", "").ok());
  CHECK(check_time_zone("UTC").ok());
  CHECK(check_time_zone("America/New_York").ok());
}

TEST_CASE("due times are local to the zone, and a day matches either day field when both are set") {
  auto weekdays = schedule("30 2 * * MON-FRI", "Europe/Berlin");
  // 2026-01-02 is a Friday; CET is UTC+1.
  CHECK(due_utc(weekdays, "2026-01-01T00:00Z", "2026-01-06T00:00Z") ==
        std::vector<std::string>{"2026-01-01T01:30", "2026-01-02T01:30", "2026-01-05T01:30"});
  // The 1st of the month and every Monday (crontab(5)'s OR).
  auto either = schedule("0 12 1 * MON", "UTC");
  CHECK(due_utc(either, "2026-06-01T00:00Z", "2026-06-16T00:00Z") ==
        std::vector<std::string>{"2026-06-01T12:00", "2026-06-08T12:00", "2026-06-15T12:00"});
  // `from` is inclusive, `until` exclusive; the limit holds.
  auto hourly = schedule("@hourly", "UTC");
  CHECK(due_utc(hourly, "2026-06-01T10:00Z", "2026-06-01T12:00Z") ==
        std::vector<std::string>{"2026-06-01T10:00", "2026-06-01T11:00"});
  CHECK(due_utc(hourly, "2026-06-01T10:00Z", "2026-06-02T10:00Z", 3).size() == 3);
  CHECK(utc_iso8601(hourly.next_after(utc("2026-06-01T10:00Z"))->at) == "2026-06-01T11:00:00.000Z");
  // February 29 comes round in the next leap year.
  auto leap = schedule("0 0 29 2 *", "UTC");
  CHECK(utc_iso8601(leap.next_after(utc("2026-03-01"))->at) == "2028-02-29T00:00:00.000Z");
  CHECK(utc_iso8601(leap.next_after(utc("2097-01-01"))->at) == "2104-02-29T00:00:00.000Z");
}

TEST_CASE("a local time the clock skips is due once, at the end of the gap") {
  // 2026-03-29: Europe/Berlin goes from 02:00 CET to 03:00 CEST (01:00 UTC).
  auto night = schedule("30 2 * * *", "Europe/Berlin");
  auto due = night.due_between(utc("2026-03-28"), utc("2026-03-31"), 10);
  REQUIRE(due.size() == 3);
  CHECK(utc_iso8601(due[0].at) == "2026-03-28T01:30:00.000Z");
  CHECK(utc_iso8601(due[1].at) == "2026-03-29T01:00:00.000Z");
  CHECK(due[1].local == "2026-03-29 02:30");
  CHECK(due[1].shift == DueTime::Shift::after_gap);
  CHECK(night.local_text(due[1].at) == "2026-03-29 03:00 CEST");
  CHECK(utc_iso8601(due[2].at) == "2026-03-30T00:30:00.000Z");
  CHECK(due[2].shift == DueTime::Shift::none);
  // Four skipped quarter hours are due once, after the gap; 03:00 is that same instant.
  auto quarters = schedule("*/15 2-3 29 3 *", "Europe/Berlin");
  CHECK(due_utc(quarters, "2026-03-29", "2026-03-30") ==
        std::vector<std::string>{"2026-03-29T01:00", "2026-03-29T01:15", "2026-03-29T01:30",
                                 "2026-03-29T01:45"});
}

TEST_CASE("a local time that happens twice is due once, at its first occurrence") {
  // 2026-11-01: America/New_York goes back from 02:00 EDT to 01:00 EST: 01:30 happens twice.
  auto early = schedule("30 1 * * *", "America/New_York");
  auto due = early.due_between(utc("2026-10-31"), utc("2026-11-03"), 10);
  REQUIRE(due.size() == 3);
  CHECK(utc_iso8601(due[0].at) == "2026-10-31T05:30:00.000Z");  // EDT
  CHECK(utc_iso8601(due[1].at) == "2026-11-01T05:30:00.000Z");  // the first 01:30, EDT
  CHECK(due[1].shift == DueTime::Shift::first_of_two);
  CHECK(early.local_text(due[1].at) == "2026-11-01 01:30 EDT");
  CHECK(utc_iso8601(due[2].at) == "2026-11-02T06:30:00.000Z");  // EST
  // 2026-10-25: Europe/Berlin goes back from 03:00 CEST to 02:00 CET; a half-hourly
  // schedule is due at 02:00 and 02:30 once (CEST), then at 03:00 CET.
  auto halves = schedule("*/30 * * * *", "Europe/Berlin");
  CHECK(due_utc(halves, "2026-10-24T23:30Z", "2026-10-25T02:31Z") ==
        std::vector<std::string>{"2026-10-24T23:30", "2026-10-25T00:00", "2026-10-25T00:30",
                                 "2026-10-25T02:00", "2026-10-25T02:30"});
}

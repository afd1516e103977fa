#include "runner/core/time.h"

#include <fmt/format.h>

#include <ctime>

namespace faultline {
namespace {

// Reads `count` digits at `at` into `value`.
bool digits(std::string_view text, size_t at, size_t count, int& value) {
  if (at + count > text.size()) return false;
  value = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

int days_in_month(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

std::string utc_iso8601(WallTime when) {
  auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch());
  std::time_t seconds = static_cast<std::time_t>(millis.count() / 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", parts.tm_year + 1900,
                     parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec,
                     millis.count() % 1000);
}

std::string utc_date(WallTime when) { return utc_iso8601(when).substr(0, 10); }

bool is_date_only(std::string_view text) {
  int ignored;
  return text.size() == 10 && digits(text, 0, 4, ignored) && text[4] == '-' && text[7] == '-';
}

Result<WallTime> parse_utc_time(std::string_view text) {
  auto bad = [&] {
    return Error{ErrorCode::invalid,
                 fmt::format("'{}' is not a UTC date or time; write 2026-11-24, "
                             "2026-11-24T10:25Z or 2026-11-24T10:25:53.123Z",
                             text)};
  };
  int year, month, day, hour = 0, minute = 0, second = 0, millis = 0;
  if (!digits(text, 0, 4, year) || text.size() < 10 || text[4] != '-' || text[7] != '-' ||
      !digits(text, 5, 2, month) || !digits(text, 8, 2, day)) {
    return bad();
  }
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) {
    return bad();
  }
  size_t at = 10;
  if (at < text.size()) {
    if ((text[at] != 'T' && text[at] != ' ') || !digits(text, at + 1, 2, hour) ||
        text.size() < at + 6 || text[at + 3] != ':' || !digits(text, at + 4, 2, minute)) {
      return bad();
    }
    at += 6;
    if (at < text.size() && text[at] == ':') {
      if (!digits(text, at + 1, 2, second)) return bad();
      at += 3;
      if (at < text.size() && text[at] == '.') {
        if (!digits(text, at + 1, 3, millis)) return bad();
        at += 4;
      }
    }
    if (at < text.size() && text[at] == 'Z') ++at;
    if (at != text.size() || hour > 23 || minute > 59 || second > 59) return bad();
  }
  std::tm parts{};
  parts.tm_year = year - 1900;
  parts.tm_mon = month - 1;
  parts.tm_mday = day;
  parts.tm_hour = hour;
  parts.tm_min = minute;
  parts.tm_sec = second;
  return WallClock::from_time_t(timegm(&parts)) + std::chrono::milliseconds(millis);
}

}  // namespace faultline

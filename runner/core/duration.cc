#include "runner/core/duration.h"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>
#include <string>

namespace faultline {
namespace {

struct Unit {
  std::string_view name;
  int64_t millis;
};
// Longest names first so that "ms" is not read as "m".
constexpr Unit kUnits[] = {{"ms", 1}, {"h", 3600000}, {"m", 60000}, {"s", 1000}};

Error duration_error(std::string_view text, std::string_view why) {
  return Error{fmt::format("invalid duration '{}': {} (write e.g. 250ms, 2s, 1m30s)", text, why)};
}

}  // namespace

Result<Millis> parse_duration(std::string_view text) {
  if (text.empty()) return duration_error(text, "empty");
  const int64_t limit = kMaxDuration.count();
  int64_t total = 0;
  int64_t previous_unit = INT64_MAX;
  size_t i = 0;
  while (i < text.size()) {
    int64_t whole = 0;
    int64_t fraction = 0, fraction_scale = 1;
    size_t digits = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      // Bounded at every digit, so that no product or sum below can overflow.
      whole = whole * 10 + (text[i] - '0');
      if (whole > limit) return duration_error(text, "too large");
      ++i, ++digits;
    }
    if (i < text.size() && text[i] == '.') {
      ++i;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        if (fraction_scale < 1000000)
          fraction = fraction * 10 + (text[i] - '0'), fraction_scale *= 10;
        ++i, ++digits;
      }
    }
    if (digits == 0) return duration_error(text, "expected a number");
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (text.substr(i, candidate.name.size()) == candidate.name) {
        unit = &candidate;
        break;
      }
    }
    if (unit == nullptr) {
      return duration_error(text, i < text.size() ? "unknown unit" : "missing unit");
    }
    if (unit->millis >= previous_unit)
      return duration_error(text, "units must descend (h, m, s, ms)");
    previous_unit = unit->millis;
    i += unit->name.size();
    if ((fraction * unit->millis) % fraction_scale != 0) {
      return duration_error(text, "finer than a millisecond");
    }
    int64_t part_fraction = fraction * unit->millis / fraction_scale;
    if (whole > (limit - total - part_fraction) / unit->millis) {
      return duration_error(text, "longer than the limit of " + format_duration(kMaxDuration));
    }
    total += whole * unit->millis + part_fraction;
  }
  return Millis(total);
}

Result<Millis> add_durations(Millis a, Millis b) {
  if (a.count() < 0 || b.count() < 0 || a > kMaxDuration || b > kMaxDuration ||
      a + b > kMaxDuration) {
    return Error{ErrorCode::invalid, format_duration(a) + " + " + format_duration(b) +
                                         " is longer than the limit of " +
                                         format_duration(kMaxDuration)};
  }
  return a + b;
}

std::string format_duration(Millis duration) {
  int64_t ms = duration.count();
  if (ms == 0) return "0s";
  std::string sign = ms < 0 ? "-" : "";
  if (ms < 0) ms = -ms;
  if (ms < 1000) return fmt::format("{}{}ms", sign, ms);
  if (ms < 60000) {
    if (ms % 1000 == 0) return fmt::format("{}{}s", sign, ms / 1000);
    std::string text = fmt::format("{:.3f}", ms / 1000.0);
    while (text.back() == '0') text.pop_back();
    return sign + text + "s";
  }
  std::string out = sign;
  if (ms >= 3600000) out += fmt::format("{}h", ms / 3600000), ms %= 3600000;
  if (ms >= 60000) out += fmt::format("{}m", ms / 60000), ms %= 60000;
  if (ms >= 1000) out += fmt::format("{}s", ms / 1000), ms %= 1000;
  if (ms > 0) out += fmt::format("{}ms", ms);
  return out;
}

double elapsed_ms(MonoTime from, MonoTime to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

MonoTime at_offset(MonoTime origin, double offset_ms) {
  return origin + std::chrono::ceil<MonoClock::duration>(
                      std::chrono::duration<double, std::milli>(offset_ms));
}

}  // namespace faultline

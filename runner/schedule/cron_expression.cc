// The cron expression parser (schedule.h): five fields or an @macro, bit sets out.
#include <fmt/format.h>

#include <array>
#include <cctype>

#include "runner/core/suggest.h"
#include "runner/schedule/schedule.h"

namespace faultline {
namespace {

constexpr size_t kMaxLength = 256;

struct FieldSpec {
  const char* name;
  int min, max;
  std::vector<std::string> names;  // names[i] stands for min + i ("" = none)
  const char* range_text;
};

const std::array<FieldSpec, 5>& field_specs() {
  static const std::array<FieldSpec, 5> specs = {{
      {"minute", 0, 59, {}, "0-59"},
      {"hour", 0, 23, {}, "0-23"},
      {"day of month", 1, 31, {}, "1-31"},
      {"month",
       1,
       12,
       {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"},
       "1-12 or JAN-DEC"},
      {"day of week",
       0,
       7,
       {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"},
       "0-7 or SUN-SAT"},
  }};
  return specs;
}

struct Macro {
  const char* name;
  const char* expression;
};
constexpr std::array<Macro, 7> kMacros = {{{"@yearly", "0 0 1 1 *"},
                                           {"@annually", "0 0 1 1 *"},
                                           {"@monthly", "0 0 1 * *"},
                                           {"@weekly", "0 0 * * 0"},
                                           {"@daily", "0 0 * * *"},
                                           {"@midnight", "0 0 * * *"},
                                           {"@hourly", "0 * * * *"}}};

// A failure at `offset` into the whole expression.
struct ParseError {
  std::string message;
  size_t offset;
};

class FieldParser {
 public:
  FieldParser(const FieldSpec& spec, std::string_view text, size_t offset)
      : spec_(spec), text_(text), offset_(offset) {}

  // Every value the field matches, as bits from spec.min; or the first problem.
  std::optional<ParseError> parse(uint64_t& bits) {
    size_t start = 0;
    while (true) {
      size_t comma = text_.find(',', start);
      std::string_view item = text_.substr(
          start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
      if (auto error = parse_item(item, start, bits)) return error;
      if (comma == std::string_view::npos) return std::nullopt;
      start = comma + 1;
    }
  }

 private:
  std::optional<ParseError> fail(size_t at, std::string message) const {
    return ParseError{std::move(message), offset_ + at};
  }

  // A number or a name at text_[at...], up to '-', '/', or the end of `item`.
  std::optional<ParseError> value(std::string_view token, size_t at, int& out) const {
    if (token.empty())
      return fail(at, fmt::format("{} needs a value here ({})", spec_.name, spec_.range_text));
    if (std::isdigit(static_cast<unsigned char>(token[0]))) {
      if (token.size() > 2) {
        return fail(at,
                    fmt::format("{} '{}' is out of range {}", spec_.name, token, spec_.range_text));
      }
      int number = 0;
      for (size_t i = 0; i < token.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(token[i])))
          return fail(at + i,
                      fmt::format("unexpected '{}' in {} '{}'", token[i], spec_.name, token));
        number = number * 10 + (token[i] - '0');
      }
      if (number < spec_.min || number > spec_.max) {
        return fail(at,
                    fmt::format("{} {} is out of range {}", spec_.name, number, spec_.range_text));
      }
      out = number;
      return std::nullopt;
    }
    std::string upper;
    for (char c : token) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (size_t i = 0; i < spec_.names.size(); ++i) {
      if (spec_.names[i] == upper) {
        out = spec_.min + static_cast<int>(i);
        return std::nullopt;
      }
    }
    if (spec_.names.empty()) {
      return fail(
          at, fmt::format("{} takes numbers {}, not '{}'", spec_.name, spec_.range_text, token));
    }
    return fail(at, fmt::format("unknown {} '{}' ({}){}", spec_.name, token, spec_.range_text,
                                did_you_mean(upper, spec_.names)));
  }

  std::optional<ParseError> parse_item(std::string_view item, size_t at, uint64_t& bits) const {
    if (item.empty()) return fail(at, fmt::format("empty item in the {} list", spec_.name));
    size_t slash = item.find('/');
    std::string_view range = item.substr(0, slash);
    int low = spec_.min, high = spec_.max, step = 1;
    if (slash != std::string_view::npos) {
      std::string_view step_text = item.substr(slash + 1);
      size_t step_at = at + slash + 1;
      if (step_text.empty() || step_text.size() > 2 ||
          step_text.find_first_not_of("0123456789") != std::string_view::npos) {
        return fail(step_at,
                    fmt::format("a step is a number from 1 to {}, not '{}'", spec_.max, step_text));
      }
      step = std::stoi(std::string(step_text));
      if (step == 0) return fail(step_at, "a step must be at least 1");
    }
    if (range == "*") {
      // the whole field
    } else {
      size_t dash = range.find('-');
      if (auto error = value(range.substr(0, dash), at, low)) return error;
      if (dash == std::string_view::npos) {
        if (slash != std::string_view::npos) {
          return fail(at, fmt::format("a step needs a range or '*': write {}-{}/{} or */{}", range,
                                      spec_.max, item.substr(slash + 1), item.substr(slash + 1)));
        }
        high = low;
      } else {
        if (auto error = value(range.substr(dash + 1), at + dash + 1, high)) return error;
        if (high < low) {
          return fail(at, fmt::format("{} range {} runs backwards (write the smaller value first)",
                                      spec_.name, range));
        }
      }
    }
    for (int v = low; v <= high; v += step) bits |= uint64_t{1} << (v - spec_.min);
    return std::nullopt;
  }

  const FieldSpec& spec_;
  std::string_view text_;
  size_t offset_;
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

int days_in_month_at_most(int month) {
  static constexpr int kDays[] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[month];
}

Result<CronExpression> parse_fields(std::string_view text, size_t& error_offset) {
  struct Token {
    std::string_view text;
    size_t at;
  };
  std::vector<Token> tokens;
  for (size_t i = 0; i < text.size();) {
    if (is_blank(text[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < text.size() && !is_blank(text[i])) ++i;
    tokens.push_back({text.substr(start, i - start), start});
  }
  if (tokens.size() != 5) {
    error_offset = tokens.size() > 5 ? tokens[5].at : 0;
    return Error(ErrorCode::invalid,
                 fmt::format("a cron expression has 5 fields (minute hour day-of-month month "
                             "day-of-week) or is an @macro; this one has {}",
                             tokens.size()));
  }
  const auto& specs = field_specs();
  std::array<uint64_t, 5> bits{};
  for (size_t f = 0; f < 5; ++f) {
    if (auto error = FieldParser(specs[f], tokens[f].text, tokens[f].at).parse(bits[f])) {
      error_offset = error->offset;
      return Error(ErrorCode::invalid, error->message);
    }
  }
  CronExpression cron;
  cron.minutes = bits[0];
  cron.hours = static_cast<uint32_t>(bits[1]);
  cron.days_of_month = static_cast<uint32_t>(bits[2] << 1);  // bit d = day d
  cron.months = static_cast<uint16_t>(bits[3] << 1);         // bit m = month m
  cron.days_of_week = static_cast<uint8_t>((bits[4] & 0x7f) | ((bits[4] >> 7) & 1));  // 7 = 0
  cron.any_day_of_month = tokens[2].text.front() == '*';
  cron.any_day_of_week = tokens[4].text.front() == '*';
  // With the weekday unrestricted (or ANDed), the day of month alone decides: it must
  // exist in some month the expression names.
  if (!cron.any_day_of_month && cron.any_day_of_week) {
    bool possible = false;
    for (int month = 1; month <= 12 && !possible; ++month) {
      if (!(cron.months >> month & 1)) continue;
      for (int day = 1; day <= days_in_month_at_most(month) && !possible; ++day)
        possible = cron.days_of_month >> day & 1;
    }
    if (!possible) {
      error_offset = tokens[2].at;
      return Error(ErrorCode::invalid,
                   fmt::format("this expression is never due: no month it names has day {} "
                               "(February has at most 29 days; April, June, September and "
                               "November 30)",
                               tokens[2].text));
    }
  }
  return cron;
}

}  // namespace

Result<CronExpression> parse_cron(std::string_view text, size_t* error_offset) {
  size_t offset = 0;
  auto report = [&](Error error) -> Result<CronExpression> {
    if (error_offset) *error_offset = offset;
    return error;
  };
  if (text.size() > kMaxLength) {
    offset = kMaxLength;
    return report(Error(ErrorCode::invalid,
                        fmt::format("a cron expression is at most {} characters", kMaxLength)));
  }
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f) {
      if (c == '\t') continue;
      offset = i;
      return report(Error(ErrorCode::invalid,
                          fmt::format("unexpected byte 0x{:02x} in a cron expression", c)));
    }
  }
  size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) {
    return report(Error(ErrorCode::invalid,
                        "the cron expression is empty (e.g. \"30 2 * * MON-FRI\" or @daily)"));
  }
  if (text[first] == '@') {
    std::string_view word = text.substr(first);
    word = word.substr(0, word.find_last_not_of(" \t") + 1);
    std::string lower;
    for (char c : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const Macro& macro : kMacros) {
      if (lower == macro.name) return parse_fields(macro.expression, offset);
    }
    offset = first;
    if (lower == "@reboot") {
      return report(Error(ErrorCode::invalid,
                          "@reboot is not a time: a drill schedule needs times it is due"));
    }
    std::vector<std::string> names;
    for (const Macro& macro : kMacros) names.push_back(macro.name);
    return report(Error(ErrorCode::invalid,
                        fmt::format("unknown cron macro '{}' (@yearly, @annually, @monthly, "
                                    "@weekly, @daily, @midnight, @hourly){}",
                                    word, did_you_mean(lower, names))));
  }
  auto parsed = parse_fields(text, offset);
  if (!parsed) return report(parsed.error());
  return parsed;
}

}  // namespace faultline

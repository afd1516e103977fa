#include "runner/plan/fault_schedule.h"

#include <algorithm>
#include <functional>
#include <map>

#include "runner/core/suggest.h"

namespace faultline {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool is_letter_or_digit(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_name_char(char c) { return is_letter_or_digit(c) || c == '.' || c == '_' || c == '-'; }

}  // namespace

Result<AfterClause> parse_after(std::string_view text) {
  // Scanned by hand, in one pass: a regex engine that recursed per character overflowed
  // the stack on a 30 KB value here.
  size_t i = 0;
  auto scan = [&](auto belongs) {
    size_t start = i;
    while (i < text.size() && belongs(text[i])) ++i;
    return text.substr(start, i - start);
  };
  scan(is_space);
  std::string_view name;
  if (i < text.size() && is_letter_or_digit(text[i])) name = scan(is_name_char);
  scan(is_space);
  bool has_plus = i < text.size() && text[i] == '+';
  std::string_view delay;
  if (has_plus) {
    ++i;
    scan(is_space);
    delay = scan([](char c) { return !is_space(c); });
    scan(is_space);
  }
  if (name.empty() || (has_plus && delay.empty()) || i != text.size()) {
    return Error{ErrorCode::invalid,
                 "after must be 'FAULT' or 'FAULT + DURATION', not '" + std::string(text) + "'"};
  }
  AfterClause clause{std::string(name), Millis(0)};
  if (has_plus) {
    auto parsed = parse_duration(delay);
    if (!parsed.ok()) return Error{ErrorCode::invalid, "after: " + parsed.error().message};
    clause.delay = *parsed;
  }
  return clause;
}

std::vector<ScheduleProblem> schedule_faults(std::vector<FaultSpec>& faults,
                                             const std::set<std::string>& left_out) {
  std::vector<ScheduleProblem> problems;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < faults.size(); ++i) index[faults[i].name] = i;
  enum class State { unseen, resolving, resolved, failed };
  std::map<std::string, State> state;
  // Whether `fault` could be placed; a problem is reported once, where it arises.
  std::function<bool(FaultSpec&)> resolve = [&](FaultSpec& fault) {
    if (fault.after.empty() || state[fault.name] == State::resolved) return true;
    if (state[fault.name] == State::failed) return false;
    if (state[fault.name] == State::resolving) {
      problems.push_back({fault.name, "fault '" + fault.name + "' is part of an 'after' cycle"});
      return false;
    }
    auto found = index.find(fault.after);
    if (found == index.end() && left_out.count(fault.after)) return false;  // has its own error
    if (found == index.end()) {
      std::vector<std::string> names;
      for (const auto& [name, unused] : index) {
        if (name != fault.name) names.push_back(name);
      }
      for (const auto& name : left_out) {
        if (name != fault.name) names.push_back(name);
      }
      std::sort(names.begin(), names.end());
      problems.push_back({fault.name, "fault '" + fault.name + "' runs after unknown fault '" +
                                          fault.after + "'" + did_you_mean(fault.after, names)});
      return false;
    }
    state[fault.name] = State::resolving;
    FaultSpec& base = faults[found->second];
    bool placed = resolve(base);
    if (placed) {
      // Each part is at most kMaxDuration, so the sum itself is safe to show.
      auto at = add_durations(base.at, fault.at);
      if (!at.ok()) {
        problems.push_back({fault.name, "fault '" + fault.name + "' would fire at " +
                                            format_duration(base.at + fault.at) + " ('" +
                                            base.name + "' at " + format_duration(base.at) + " + " +
                                            format_duration(fault.at) + "), past the limit of " +
                                            format_duration(kMaxDuration)});
        placed = false;
      } else {
        fault.at = *at;
      }
    }
    state[fault.name] = placed ? State::resolved : State::failed;
    return placed;
  };
  for (auto& fault : faults) resolve(fault);
  std::stable_sort(faults.begin(), faults.end(), [](auto& a, auto& b) { return a.at < b.at; });
  return problems;
}

}  // namespace faultline

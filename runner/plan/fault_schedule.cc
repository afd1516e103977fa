#include "runner/plan/fault_schedule.h"

#include <algorithm>
#include <functional>
#include <map>
#include <regex>

#include "runner/core/suggest.h"

namespace faultline {

Result<AfterClause> parse_after(std::string_view text) {
  static const std::regex form(R"(\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\+\s*(\S+)\s*)?)");
  std::string owned(text);
  std::smatch match;
  if (!std::regex_match(owned, match, form)) {
    return Error{ErrorCode::invalid,
                 "after must be 'FAULT' or 'FAULT + DURATION', not '" + owned + "'"};
  }
  AfterClause clause;
  clause.fault = match[1];
  if (match[2].matched) {
    auto delay = parse_duration(match[2].str());
    if (!delay.ok()) return Error{ErrorCode::invalid, "after: " + delay.error().message};
    clause.delay = *delay;
  }
  return clause;
}

std::vector<ScheduleProblem> schedule_faults(std::vector<FaultSpec>& faults,
                                             const std::set<std::string>& left_out) {
  std::vector<ScheduleProblem> problems;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < faults.size(); ++i) index[faults[i].name] = i;
  std::map<std::string, int> state;  // 0 unseen, 1 resolving, 2 resolved
  std::function<bool(FaultSpec&)> resolve = [&](FaultSpec& fault) {
    if (fault.after.empty() || state[fault.name] == 2) return true;
    if (state[fault.name] == 1) {
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
    state[fault.name] = 1;
    FaultSpec& base = faults[found->second];
    bool ok = resolve(base);
    fault.at += base.at;
    state[fault.name] = 2;
    return ok;
  };
  for (auto& fault : faults) resolve(fault);
  std::stable_sort(faults.begin(), faults.end(), [](auto& a, auto& b) { return a.at < b.at; });
  return problems;
}

}  // namespace faultline

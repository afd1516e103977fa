#pragma once
// Reviews and corrective actions as the records commands and reports show them.
#include <string>
#include <vector>

#include "reports/store/ledger_entries.h"
#include "runner/core/json.h"

namespace faultline {

// Each action with its state: "open", "overdue" (open, due before `today`) or "closed".
Json actions_json(const std::vector<CorrectiveAction>& actions, const std::string& today);
std::string actions_text(const std::vector<CorrectiveAction>& actions, const std::string& today);

// The reviews of one drill (reviews_of) and its actions, as `records show` ends.
std::string reviews_text(const Json& reviews, const std::vector<CorrectiveAction>& actions,
                         const std::string& today);

std::string action_state(const CorrectiveAction& action, const std::string& today);

}  // namespace faultline

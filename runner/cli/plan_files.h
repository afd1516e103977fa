#pragma once
// Loading plans for commands other than run (audit): as `faultline validate` loads them.
#include <vector>

#include "runner/cli/commands.h"
#include "runner/plan/plan.h"

namespace faultline {

// Loads every plan in options.plans as `validate` does (their plugins too, missing vars
// as notes), printing each diagnostic on stderr; false when any plan does not load.
bool load_plans_to_check(const CliOptions& options, std::vector<Plan>& plans);

}  // namespace faultline

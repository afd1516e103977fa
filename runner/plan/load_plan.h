#pragma once
// Loading a plan: every error in the file is reported at once, each with its
// file:line:col, and no Plan is returned unless the whole file is valid.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runner/core/registry.h"
#include "runner/plan/diagnostic.h"
#include "runner/plan/plan.h"

namespace faultline {

struct PlanLoad {
  std::optional<Plan> plan;
  // Sorted by position; empty when plan is set. At most 100, then one that counts the rest.
  std::vector<Diagnostic> diagnostics;
  std::string text;  // the file as read, for render_diagnostic
};

// `vars` come from --var NAME=VALUE and override the plan's `vars:` defaults.
// load_plan_file reads a regular file of at most kMaxPlanBytes (source_checks.h), never
// more than one byte past it; "-" reads standard input, bounded likewise, and
// diagnostics then name the plan "-" (as the drill record does). Anything else (a
// directory, a FIFO, a device) is one diagnostic without a line that says what it is.
PlanLoad load_plan_file(const std::string& path, const Registry& registry,
                        const std::map<std::string, std::string>& vars = {});
PlanLoad load_plan_text(const std::string& path, const std::string& text, const Registry& registry,
                        const std::map<std::string, std::string>& vars = {});

}  // namespace faultline

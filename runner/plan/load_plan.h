#pragma once
// Loading a plan: every error in the file is reported at once, each with its
// file:line:col, and no Plan is returned unless the whole file is valid. `run` loads
// LoadMode::to_run; `validate` loads LoadMode::to_check, so that CI can check a plan
// without its secrets (load_mode.h).
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runner/core/registry.h"
#include "runner/plan/diagnostic.h"
#include "runner/plan/load_mode.h"
#include "runner/plan/plan.h"

namespace faultline {

struct PlanLoad {
  // Set unless there is an error (notes alone do not stop a plan). Loaded with
  // LoadMode::to_check, a plan is for checking only: what needed a missing value holds it
  // as written or a default, and a fault or probe whose type could not check its params
  // has no Fault or Probe.
  std::optional<Plan> plan;
  // Errors and notes, sorted by position. At most 100, then one that counts the rest.
  std::vector<Diagnostic> diagnostics;
  std::string text;  // the file as read, for render_diagnostic

  size_t count(Severity severity) const;
};

// `vars` come from --var NAME=VALUE and override the plan's `vars:` defaults; `mode` says
// whether a value the load cannot have is an error (to_run) or a note (to_check).
// load_plan_file reads a regular file of at most kMaxPlanBytes (source_checks.h), never
// more than one byte past it; "-" reads standard input, bounded likewise, and
// diagnostics then name the plan "-" (as the drill record does). Anything else (a
// directory, a FIFO, a device) is one diagnostic without a line that says what it is.
PlanLoad load_plan_file(const std::string& path, const Registry& registry,
                        const std::map<std::string, std::string>& vars = {},
                        LoadMode mode = LoadMode::to_run);
PlanLoad load_plan_text(const std::string& path, const std::string& text, const Registry& registry,
                        const std::map<std::string, std::string>& vars = {},
                        LoadMode mode = LoadMode::to_run);

}  // namespace faultline

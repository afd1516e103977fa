#pragma once
// The runner's public face: load and validate plans, run drills (or dry runs), recover
// after a killed runner. The CLI (runner/cli) is a thin table of commands over these.
#include "runner/engine/drill_report.h"
#include "runner/engine/dry_run.h"
#include "runner/engine/engine.h"
#include "runner/engine/preflight.h"
#include "runner/engine/views.h"
#include "runner/plan/load_plan.h"
#include "runner/plan/plan_plugins.h"
#include "runner/plan/plan_schema.h"
#include "runner/safety/recover.h"
#include "runner/safety/signals.h"

namespace faultline {

// Every built-in fault, probe and rollback type, registered exactly as a plugin's would be.
Status register_builtin_types(Registry& registry);

// <home>: --home, else $FAULTLINE_HOME, else /var/lib/faultline as root, else
// $XDG_STATE_HOME/faultline (~/.local/state/faultline).
std::string resolve_home(const std::string& flag);

}  // namespace faultline

#pragma once
// What `run --dry-run` prints: every preflight check with its outcome, the processes
// each fault would act on (its blast radius), and the drill's phases with every fault
// event at its offset, in time order. Nothing is started, locked or injected.
#include <string>

#include "runner/engine/preflight.h"
#include "runner/plan/plan.h"

namespace faultline {

std::string describe_dry_run(const Plan& plan, const PreflightResult& preflight);

}  // namespace faultline

#pragma once
// Turning a fault's `target:` into the processes it will act on, on a Target, with the
// blast-radius rules applied. Preflight, the dry run and the inject itself all select
// through here, so what the dry run shows is what the drill would do.
#include <vector>

#include "runner/core/target.h"
#include "runner/plan/plan.h"

namespace faultline {

// Selects the processes of a pidfile or process-name selector (a service selector is
// resolved by the engine, which started the service, and then checked with
// check_selected). Fails when nothing matches, when several match without `all`, when
// more than `max` match, or when any match is refused by the blast-radius rules.
Result<std::vector<ProcessInfo>> select_processes(const ProcessSelector& selector, Target& target);

// Applies the blast-radius rules of `selector` to processes found another way.
Result<std::vector<ProcessInfo>> check_selected(const std::vector<ProcessId>& processes,
                                                const ProcessSelector& selector, Target& target);

// "pid 12 (python3, user root, python3 -m http.server); pid 13 (...)".
std::string describe_processes(const std::vector<ProcessInfo>& processes);

std::vector<ProcessId> ids_of(const std::vector<ProcessInfo>& processes);

}  // namespace faultline

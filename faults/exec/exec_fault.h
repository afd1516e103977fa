#pragma once
#include <memory>

#include "runner/core/fault.h"

namespace faultline {

// exec: runs an inject command, and a rollback command when the fault is rolled back.
// The rollback command is journaled before the inject command runs, and also runs when
// the inject command fails half-way.
std::unique_ptr<FaultType> make_exec_fault_type();

}  // namespace faultline

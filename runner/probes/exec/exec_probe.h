#pragma once
#include <memory>

#include "runner/core/probe.h"

namespace faultline {

// exec: runs a command through the target; passes on the expected exit code and, when
// given, stdout that contains a match for expect_stdout (RE2).
std::unique_ptr<ProbeType> make_exec_probe_type();

}  // namespace faultline

#pragma once
#include <memory>

#include "runner/core/probe.h"

namespace faultline {

// http: one request through the target on a fresh connection; passes on the expected
// status and, when given, a body that contains a match for expect_body (RE2).
std::unique_ptr<ProbeType> make_http_probe_type();

}  // namespace faultline

#pragma once
#include <memory>

#include "runner/core/probe.h"

namespace faultline {

// tcp: a connect through the target; passes when the connection opens in time.
std::unique_ptr<ProbeType> make_tcp_probe_type();

}  // namespace faultline

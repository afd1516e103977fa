#pragma once
#include <memory>

#include "runner/core/probe.h"

namespace faultline {

// redis: one command on a fresh connection, to a fixed address or to the master that
// Sentinel names; passes on the expected reply (or any reply that is not an error).
std::unique_ptr<ProbeType> make_redis_probe_type();

}  // namespace faultline

#pragma once
#include <memory>

#include "runner/core/target.h"

namespace faultline {

// This host, acted on directly (processes, /proc, sockets, libcurl).
std::shared_ptr<Target> make_local_target();

}  // namespace faultline

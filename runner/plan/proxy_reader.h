#pragma once
// A plan's `proxies:`: name -> {listen: HOST:PORT, upstream: HOST:PORT}, the TCP proxies
// the runner serves for the drill (see ProxySpec).
#include <yaml-cpp/yaml.h>

#include <vector>

#include "runner/plan/node_reader.h"
#include "runner/plan/plan.h"

namespace faultline {

// The proxies in the order written; every problem is reported through `reader`.
std::vector<ProxySpec> read_proxies(NodeReader& reader, const YAML::Node& node);

}  // namespace faultline

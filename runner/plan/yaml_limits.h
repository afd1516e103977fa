#pragma once
// The limits that keep yaml-cpp and the loader fast on hostile YAML. yaml-cpp builds
// every node of a file before the loader sees one, at a few microseconds each, and
// aliases let a small file name one subtree many times: both are bounded here.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <string>
#include <vector>

#include "runner/plan/diagnostic.h"

namespace faultline {

// A file of tiny nodes (`[x,x,x,...]`) would take seconds to build. Real plans have a
// few thousand nodes; a 1,000-fault plan about 9,000.
constexpr size_t kMaxYamlNodes = 50'000;

// How many nodes the loader may visit, aliases followed (NodeReader charges each
// mapping and list it reads). A visit costs about a microsecond.
constexpr size_t kNodeBudget = 200'000;

// Parses `text` into its YAML documents. Counting the parser's events first costs a
// fraction of building the nodes, and stops at kMaxYamlNodes; a YAML syntax error, too
// deep nesting or too many nodes is one Diagnostic (then the result is empty).
std::vector<YAML::Node> parse_plan_documents(const std::string& path, const std::string& text,
                                             std::vector<Diagnostic>& diagnostics);

}  // namespace faultline

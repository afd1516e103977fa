#pragma once
// Typed, strict reads from a yaml-cpp tree. Every problem becomes a Diagnostic at the
// node's position and the read returns nullopt, so that the loader can go on and
// report every error in the file at once. Scalars pass through the plan's
// Substitutions first. Reads charge the nodes they visit against kNodeBudget
// (yaml_limits.h); past it every read comes back empty, and only the budget is reported.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runner/core/duration.h"
#include "runner/plan/diagnostic.h"
#include "runner/plan/substitutions.h"

namespace faultline {

struct Field {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

class NodeReader {
 public:
  // Appends to `out`; `substitutions` must outlive the reader.
  NodeReader(std::string file, const Substitutions& substitutions, std::vector<Diagnostic>& out)
      : file_(std::move(file)), substitutions_(substitutions), diagnostics_(out) {}

  SourceLocation where(const YAML::Node& node) const;
  void error(const YAML::Node& node, const std::string& message);
  bool has_errors() const { return !diagnostics_.empty(); }
  // Errors reported so far: a caller compares counts to tell whether its part was valid.
  size_t error_count() const { return diagnostics_.size(); }

  // The entries of a mapping, checked against `allowed`: unknown keys (with a
  // suggestion) and duplicate keys are reported and left out. `what` names the map in
  // messages ("steady_state", "fault 'crash'").
  std::vector<Field> fields(const YAML::Node& node, const std::vector<std::string>& allowed,
                            const std::string& what);
  // Mapping entries with free-form keys (service names, vars), duplicates reported.
  std::vector<Field> entries(const YAML::Node& node, const std::string& what);
  std::vector<YAML::Node> items(const YAML::Node& node, const std::string& what);

  std::optional<std::string> text(const YAML::Node& node, const std::string& what);
  std::optional<Millis> duration(const YAML::Node& node, const std::string& what);
  std::optional<int64_t> integer(const YAML::Node& node, const std::string& what, int64_t min,
                                 int64_t max);
  std::optional<bool> boolean(const YAML::Node& node, const std::string& what);
  // "99.9%" or 99.9 -> 99.9 (0-100).
  std::optional<double> percent(const YAML::Node& node, const std::string& what);
  std::optional<std::vector<std::string>> command(const YAML::Node& node, const std::string& what);
  // A name used as an identifier: letters, digits, '-', '_', '.'.
  std::optional<std::string> identifier(const YAML::Node& node, const std::string& what);

 private:
  bool charge(size_t nodes, const YAML::Node& node);

  std::string file_;
  const Substitutions& substitutions_;
  std::vector<Diagnostic>& diagnostics_;
  size_t nodes_read_ = 0;
  bool over_budget_ = false;
};

}  // namespace faultline

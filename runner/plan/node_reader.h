#pragma once
// Typed, strict reads from a yaml-cpp tree. Every problem becomes a Diagnostic at the
// node's position and the read returns nullopt, so that the loader can go on and
// report every error in the file at once. Scalars pass through the plan's
// Substitutions first; what a missing value means follows the LoadMode: an error at its
// use (to_run), or a placeholder, and a note for a read whose check needs the value
// (to_check). Reads charge the nodes they visit against kNodeBudget
// (yaml_limits.h); past it every read comes back empty, and only the budget is reported.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runner/core/duration.h"
#include "runner/plan/diagnostic.h"
#include "runner/plan/load_mode.h"
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
  NodeReader(std::string file, const Substitutions& substitutions, LoadMode mode,
             std::vector<Diagnostic>& out)
      : file_(std::move(file)), substitutions_(substitutions), mode_(mode), diagnostics_(out) {}

  SourceLocation where(const YAML::Node& node) const;
  void error(const YAML::Node& node, const std::string& message);
  void note(const YAML::Node& node, const std::string& message);
  // An error at byte `offset` of a single-line scalar's text (past its opening quote).
  void error_in_scalar(const YAML::Node& node, size_t offset, const std::string& message);
  // Errors reported so far: a caller compares counts to tell whether its part was valid.
  size_t error_count() const { return errors_; }
  // Reads that met a missing value so far (only to_check reads go on past one): a caller
  // compares counts to tell whether its part needed one.
  size_t missing_values_read() const { return missing_values_read_; }
  // The missing value the latest such read met.
  const std::optional<MissingValue>& last_missing_value() const { return last_missing_value_; }
  // The note for `what` left unchecked for want of `missing`.
  void not_checked(const YAML::Node& node, const std::string& what, const MissingValue& missing);

  // The entries of a mapping, checked against `allowed`: unknown keys (with a
  // suggestion) and duplicate keys are reported and left out. `what` names the map in
  // messages ("steady_state", "fault 'crash'").
  std::vector<Field> fields(const YAML::Node& node, const std::vector<std::string>& allowed,
                            const std::string& what);
  // Mapping entries with free-form keys (service names, vars), duplicates reported.
  std::vector<Field> entries(const YAML::Node& node, const std::string& what);
  std::vector<YAML::Node> items(const YAML::Node& node, const std::string& what);

  // Free text: with LoadMode::to_check, a missing value stays as written ("${var:X}").
  std::optional<std::string> text(const YAML::Node& node, const std::string& what);
  // Text whose check needs its value (a name to look up, a signal, a choice): with
  // LoadMode::to_check, a missing value gives nullopt and a note that it is not checked.
  // The typed reads below all read this way.
  std::optional<std::string> checkable_text(const YAML::Node& node, const std::string& what);
  std::optional<Millis> duration(const YAML::Node& node, const std::string& what);
  // A duration that must be longer than 0s (an interval, a timeout).
  std::optional<Millis> positive_duration(const YAML::Node& node, const std::string& what);
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
  // The scalar, substituted; a missing value is an error unless mode_ is to_check.
  std::optional<Substituted> substituted(const YAML::Node& node, const std::string& what);

  std::string file_;
  const Substitutions& substitutions_;
  LoadMode mode_;
  std::vector<Diagnostic>& diagnostics_;
  size_t errors_ = 0;
  size_t missing_values_read_ = 0;
  std::optional<MissingValue> last_missing_value_;
  std::set<std::string> unset_env_noted_;
  size_t nodes_read_ = 0;
  bool over_budget_ = false;
};

}  // namespace faultline

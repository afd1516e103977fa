#pragma once
// Typed, strict reads from a yaml-cpp tree. Every problem becomes a Diagnostic at the
// node's position and the read returns nullopt, so that the loader can go on and
// report every error in the file at once.
#include <yaml-cpp/yaml.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runner/core/duration.h"
#include "runner/core/params.h"
#include "runner/plan/load_plan.h"

namespace faultline {

// ${env:NAME} and ${var:NAME} in scalar values. Values from the environment and
// variables declared secret are registered as secrets.
class Substitutions {
 public:
  void define(const std::string& name, const std::string& value, bool secret);
  // Declared under vars: without a default and not given with --var.
  void declare_without_value(const std::string& name) { unset_vars_.insert(name); }
  bool defined(const std::string& name) const { return vars_.count(name) > 0; }
  Result<std::string> apply(const std::string& text) const;

 private:
  std::map<std::string, std::string> vars_;
  std::set<std::string> secret_vars_;
  std::set<std::string> unset_vars_;
};

struct Field {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

class NodeReader {
 public:
  NodeReader(std::string file, const Substitutions& substitutions, std::vector<Diagnostic>& out)
      : file_(std::move(file)), substitutions_(substitutions), diagnostics_(out) {}

  SourceLocation where(const YAML::Node& node) const;
  void error(const YAML::Node& node, const std::string& message);
  bool has_errors() const { return !diagnostics_.empty(); }

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

  // Checks a params map against a schema and returns normalized values with defaults
  // applied; `fields_out` maps each given param to its value node, for later errors.
  std::optional<Json> params(const YAML::Node& node, const YAML::Node& owner, const Schema& schema,
                             const std::string& what,
                             std::map<std::string, YAML::Node>* fields_out);

 private:
  std::optional<Json> param(const YAML::Node& node, const ParamSpec& spec, const std::string& what);
  bool charge(size_t nodes, const YAML::Node& node);

  std::string file_;
  const Substitutions& substitutions_;
  std::vector<Diagnostic>& diagnostics_;
  size_t nodes_read_ = 0;
  bool over_budget_ = false;
};

}  // namespace faultline

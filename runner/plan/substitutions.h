#pragma once
// ${env:NAME} and ${var:NAME} in a plan's scalar values; `$$` is a literal `$`. Values
// taken from the environment, and variables declared secret, are registered as secrets
// (runner/core/secrets.h) the moment they are used, so no log line or record shows them.
#include <map>
#include <optional>
#include <set>
#include <string>

#include "runner/core/result.h"

namespace faultline {

// A reference whose value this load does not have: a var declared without a default
// and not given with --var, or an ${env:NAME} that is not set.
struct MissingValue {
  enum class Source { var, env };
  Source source = Source::var;
  std::string name;
};

struct Substituted {
  // Every reference replaced by its value; a missing one is left as it was written.
  std::string text;
  // The first reference without a value. The loader decides what that means (LoadMode).
  std::optional<MissingValue> missing;
};

class Substitutions {
 public:
  void define(const std::string& name, const std::string& value, bool secret);
  // Declared under vars: without a default and not given with --var.
  void declare_without_value(const std::string& name) { unset_vars_.insert(name); }
  bool defined(const std::string& name) const { return vars_.count(name) > 0; }
  // Fails on what no value could fix: an unterminated '${', an unknown source, a var
  // that is not declared (with a suggestion).
  Result<Substituted> apply(const std::string& text) const;

 private:
  std::map<std::string, std::string> vars_;
  std::set<std::string> secret_vars_;
  std::set<std::string> unset_vars_;
};

}  // namespace faultline

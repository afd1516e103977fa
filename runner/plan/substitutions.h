#pragma once
// ${env:NAME} and ${var:NAME} in a plan's scalar values; `$$` is a literal `$`. Values
// taken from the environment, and variables declared secret, are registered as secrets
// (runner/core/secrets.h) the moment they are used, so no log line or record shows them.
#include <map>
#include <set>
#include <string>

#include "runner/core/result.h"

namespace faultline {

class Substitutions {
 public:
  void define(const std::string& name, const std::string& value, bool secret);
  // Declared under vars: without a default and not given with --var.
  void declare_without_value(const std::string& name) { unset_vars_.insert(name); }
  bool defined(const std::string& name) const { return vars_.count(name) > 0; }
  // `text` with every reference replaced; the error names the first that cannot be.
  Result<std::string> apply(const std::string& text) const;

 private:
  std::map<std::string, std::string> vars_;
  std::set<std::string> secret_vars_;
  std::set<std::string> unset_vars_;
};

}  // namespace faultline

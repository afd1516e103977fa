#include "runner/plan/substitutions.h"

#include <cstdlib>
#include <vector>

#include "runner/core/secrets.h"
#include "runner/core/suggest.h"

namespace faultline {

void Substitutions::define(const std::string& name, const std::string& value, bool secret) {
  vars_[name] = value;
  if (secret) {
    secret_vars_.insert(name);
    register_secret(value);
  }
}

Result<Substituted> Substitutions::apply(const std::string& text) const {
  if (text.find('$') == std::string::npos) return Substituted{text, std::nullopt};
  Substituted result;
  std::string& out = result.text;
  auto leave_missing = [&](MissingValue::Source source, const std::string& name,
                           const std::string& reference) {
    if (!result.missing) result.missing = MissingValue{source, name};
    out += "${" + reference + "}";
  };
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      out += text[i];
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '$') {
      out += '$', ++i;
      continue;
    }
    if (i + 1 >= text.size() || text[i + 1] != '{') {
      out += '$';
      continue;
    }
    size_t close = text.find('}', i);
    if (close == std::string::npos)
      return Error{ErrorCode::invalid, "unterminated '${' (write $$ for a literal $)"};
    std::string reference = text.substr(i + 2, close - i - 2);
    size_t colon = reference.find(':');
    std::string source = colon == std::string::npos ? "" : reference.substr(0, colon);
    std::string name = colon == std::string::npos ? reference : reference.substr(colon + 1);
    if (source == "env") {
      const char* value = std::getenv(name.c_str());
      if (value == nullptr) {
        leave_missing(MissingValue::Source::env, name, reference);
      } else {
        register_secret(value);
        out += value;
      }
    } else if (source == "var") {
      auto found = vars_.find(name);
      if (found == vars_.end() && unset_vars_.count(name)) {
        leave_missing(MissingValue::Source::var, name, reference);
      } else if (found == vars_.end()) {
        std::vector<std::string> names;
        for (const auto& [known, value] : vars_) names.push_back(known);
        return Error{ErrorCode::invalid,
                     "variable '" + name +
                         "' is not defined (declare it under vars: or pass --var " + name +
                         "=VALUE)" + did_you_mean(name, names)};
      } else {
        out += found->second;
      }
    } else {
      return Error{ErrorCode::invalid,
                   "unknown substitution '${" + reference + "}'; use ${env:NAME} or ${var:NAME}"};
    }
    i = close;
  }
  return result;
}

}  // namespace faultline

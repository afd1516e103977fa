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

Result<std::string> Substitutions::apply(const std::string& text) const {
  if (text.find('$') == std::string::npos) return text;
  std::string out;
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
    if (close == std::string::npos) return Error{"unterminated '${' (write $$ for a literal $)"};
    std::string reference = text.substr(i + 2, close - i - 2);
    size_t colon = reference.find(':');
    std::string source = colon == std::string::npos ? "" : reference.substr(0, colon);
    std::string name = colon == std::string::npos ? reference : reference.substr(colon + 1);
    if (source == "env") {
      const char* value = std::getenv(name.c_str());
      if (value == nullptr) return Error{"environment variable '" + name + "' is not set"};
      register_secret(value);
      out += value;
    } else if (source == "var") {
      auto found = vars_.find(name);
      if (found == vars_.end() && unset_vars_.count(name)) {
        return Error{"variable '" + name + "' has no value; pass --var " + name + "=VALUE"};
      }
      if (found == vars_.end()) {
        std::vector<std::string> names;
        for (const auto& [known, value] : vars_) names.push_back(known);
        return Error{"variable '" + name +
                     "' is not defined (declare it under vars: or pass --var " + name + "=VALUE)" +
                     did_you_mean(name, names)};
      }
      out += found->second;
    } else {
      return Error{"unknown substitution '${" + reference + "}'; use ${env:NAME} or ${var:NAME}"};
    }
    i = close;
  }
  return out;
}

}  // namespace faultline

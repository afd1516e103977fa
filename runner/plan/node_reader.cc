#include "runner/plan/node_reader.h"

#include <cstdlib>
#include <regex>

#include "runner/core/pattern.h"
#include "runner/core/secrets.h"
#include "runner/core/signals.h"
#include "runner/core/suggest.h"

namespace faultline {
namespace {

// Aliases let a small file name the same subtree many times; a walk that followed
// them all could take forever. Plans are read top-down by schema, and this bounds
// how many nodes one plan may make the loader visit. A visit costs about a
// microsecond, and a plan has at most 50,000 nodes of its own (load_plan.cc).
constexpr size_t kNodeBudget = 200'000;

std::string kind_of(const YAML::Node& node) {
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  if (node.IsNull()) return "nothing";
  return "'" + node.Scalar() + "'";
}

bool all_digits(const std::string& text, size_t from = 0) {
  if (text.size() <= from) return false;
  for (size_t i = from; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

}  // namespace

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

SourceLocation NodeReader::where(const YAML::Node& node) const {
  YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {file_, 0, 0};
  return {file_, mark.line + 1, mark.column + 1};
}

void NodeReader::error(const YAML::Node& node, const std::string& message) {
  // Past the budget, every read comes back empty: what is missing then is not a mistake.
  if (over_budget_) return;
  diagnostics_.push_back({where(node), message});
}

bool NodeReader::charge(size_t nodes, const YAML::Node& node) {
  nodes_read_ += nodes;
  if (nodes_read_ <= kNodeBudget) return true;
  if (!over_budget_) {
    error(node, "plan expands to more than 200,000 nodes (through aliases?); refusing to read it");
    over_budget_ = true;
  }
  return false;
}

std::vector<Field> NodeReader::fields(const YAML::Node& node,
                                      const std::vector<std::string>& allowed,
                                      const std::string& what) {
  std::vector<Field> out;
  for (Field& field : entries(node, what)) {
    bool known = false;
    for (const auto& key : allowed) known = known || key == field.key;
    if (!known) {
      error(field.key_node,
            "unknown key '" + field.key + "' in " + what + did_you_mean(field.key, allowed));
      continue;
    }
    out.push_back(std::move(field));
  }
  return out;
}

std::vector<Field> NodeReader::entries(const YAML::Node& node, const std::string& what) {
  std::vector<Field> out;
  if (!node.IsMap()) {
    error(node, what + " must be a mapping, not " + kind_of(node));
    return out;
  }
  if (!charge(node.size(), node)) return out;
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    YAML::Node key = it->first;  // a copy: the iterator's pair is a temporary
    if (!key.IsScalar()) {
      error(key, "keys in " + what + " must be plain names");
      continue;
    }
    if (!seen.insert(key.Scalar()).second) {
      error(key, "duplicate key '" + key.Scalar() + "' in " + what);
      continue;
    }
    out.push_back(Field{key.Scalar(), key, it->second});
  }
  return out;
}

std::vector<YAML::Node> NodeReader::items(const YAML::Node& node, const std::string& what) {
  std::vector<YAML::Node> out;
  if (!node.IsSequence()) {
    error(node, what + " must be a list, not " + kind_of(node));
    return out;
  }
  if (!charge(node.size(), node)) return out;
  for (const auto& item : node) out.push_back(item);
  return out;
}

std::optional<std::string> NodeReader::text(const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) {
    error(node, what + " must be a single value, not " + kind_of(node));
    return std::nullopt;
  }
  auto substituted = substitutions_.apply(node.Scalar());
  if (!substituted.ok()) {
    error(node, what + ": " + substituted.error().message);
    return std::nullopt;
  }
  return *substituted;
}

std::optional<Millis> NodeReader::duration(const YAML::Node& node, const std::string& what) {
  auto value = text(node, what);
  if (!value) return std::nullopt;
  auto parsed = parse_duration(*value);
  if (!parsed.ok()) {
    error(node, what + ": " + parsed.error().message);
    return std::nullopt;
  }
  return *parsed;
}

std::optional<int64_t> NodeReader::integer(const YAML::Node& node, const std::string& what,
                                           int64_t min, int64_t max) {
  auto value = text(node, what);
  if (!value) return std::nullopt;
  bool negative = !value->empty() && (*value)[0] == '-';
  if (!all_digits(*value, negative ? 1 : 0) || value->size() > 18) {
    error(node, what + " must be a whole number, not '" + *value + "'");
    return std::nullopt;
  }
  int64_t number = std::stoll(*value);
  if (number < min || number > max) {
    error(node, what + " must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return number;
}

std::optional<bool> NodeReader::boolean(const YAML::Node& node, const std::string& what) {
  auto value = text(node, what);
  if (!value) return std::nullopt;
  if (*value == "true") return true;
  if (*value == "false") return false;
  error(node, what + " must be true or false, not '" + *value + "'");
  return std::nullopt;
}

std::optional<double> NodeReader::percent(const YAML::Node& node, const std::string& what) {
  auto value = text(node, what);
  if (!value) return std::nullopt;
  std::string number = *value;
  if (!number.empty() && number.back() == '%') number.pop_back();
  static const std::regex decimal(R"(\d{1,3}(\.\d{1,6})?)");
  if (!std::regex_match(number, decimal) || std::stod(number) > 100.0) {
    error(node, what + " must be a percentage from 0% to 100%, not '" + *value + "'");
    return std::nullopt;
  }
  return std::stod(number);
}

std::optional<std::vector<std::string>> NodeReader::command(const YAML::Node& node,
                                                            const std::string& what) {
  if (node.IsScalar()) {
    auto line = text(node, what);
    if (!line) return std::nullopt;
    if (line->empty()) {
      error(node, what + " is empty");
      return std::nullopt;
    }
    return std::vector<std::string>{"/bin/sh", "-c", *line};
  }
  if (!node.IsSequence()) {
    error(node,
          what + " must be a list of arguments or a shell command line, not " + kind_of(node));
    return std::nullopt;
  }
  std::vector<std::string> argv;
  bool ok = true;
  for (const auto& item : items(node, what)) {
    auto arg = text(item, what + " argument");
    if (arg) argv.push_back(*arg);
    ok = ok && arg.has_value();
  }
  if (!ok) return std::nullopt;
  if (argv.empty() || argv[0].empty()) {
    error(node, what + " needs at least a program name");
    return std::nullopt;
  }
  return argv;
}

std::optional<std::string> NodeReader::identifier(const YAML::Node& node, const std::string& what) {
  auto value = text(node, what);
  if (!value) return std::nullopt;
  static const std::regex pattern(R"([A-Za-z0-9][A-Za-z0-9._-]{0,127})");
  if (!std::regex_match(*value, pattern)) {
    error(node, what + " '" + *value + "' must be letters, digits, '.', '_' or '-' (up to 128)");
    return std::nullopt;
  }
  return value;
}

std::optional<Json> NodeReader::param(const YAML::Node& node, const ParamSpec& spec,
                                      const std::string& what) {
  std::string label = what + " param '" + spec.name + "'";
  switch (spec.kind) {
    case ParamKind::string: {
      auto value = text(node, label);
      return value ? std::optional<Json>(*value) : std::nullopt;
    }
    case ParamKind::integer: {
      auto value = integer(node, label, INT32_MIN, INT32_MAX);
      return value ? std::optional<Json>(*value) : std::nullopt;
    }
    case ParamKind::boolean: {
      auto value = boolean(node, label);
      return value ? std::optional<Json>(*value) : std::nullopt;
    }
    case ParamKind::duration: {
      auto value = duration(node, label);
      return value ? std::optional<Json>(value->count()) : std::nullopt;
    }
    case ParamKind::command: {
      auto value = command(node, label);
      return value ? std::optional<Json>(*value) : std::nullopt;
    }
    case ParamKind::string_list: {
      Json list = Json::array();
      for (const auto& item : items(node, label)) {
        auto value = text(item, label + " item");
        if (!value) return std::nullopt;
        list.push_back(*value);
      }
      return node.IsSequence() ? std::optional<Json>(list) : std::nullopt;
    }
    case ParamKind::string_map: {
      Json map = Json::object();
      for (const Field& field : entries(node, label)) {
        auto value = text(field.value, label + " '" + field.key + "'");
        if (!value) return std::nullopt;
        map[field.key] = *value;
      }
      return node.IsMap() ? std::optional<Json>(map) : std::nullopt;
    }
    case ParamKind::signal: {
      auto value = text(node, label);
      if (!value) return std::nullopt;
      auto signal = parse_signal(*value);
      if (!signal.ok()) {
        error(node, label + ": " + signal.error().message);
        return std::nullopt;
      }
      return Json(*signal);
    }
    case ParamKind::regex: {
      auto value = text(node, label);
      if (!value) return std::nullopt;
      if (auto compiled = Pattern::compile(*value); !compiled.ok()) {
        error(node, label + ": " + compiled.error().message);
        return std::nullopt;
      }
      return Json(*value);
    }
    case ParamKind::choice: {
      auto value = text(node, label);
      if (!value) return std::nullopt;
      for (const auto& choice : spec.choices) {
        if (choice == *value) return Json(*value);
      }
      std::string list;
      for (const auto& choice : spec.choices) list += (list.empty() ? "" : ", ") + choice;
      error(node, label + " must be one of " + list + ", not '" + *value + "'" +
                      did_you_mean(*value, spec.choices));
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<Json> NodeReader::params(const YAML::Node& node, const YAML::Node& owner,
                                       const Schema& schema, const std::string& what,
                                       std::map<std::string, YAML::Node>* fields_out) {
  Json values = Json::object();
  bool ok = true;
  std::set<std::string> given;
  if (node.IsDefined() && !node.IsNull()) {
    size_t before = diagnostics_.size();
    for (const Field& field : fields(node, schema.names(), what + " params")) {
      given.insert(field.key);
      if (fields_out) (*fields_out)[field.key] = field.value;
      auto value = param(field.value, *schema.find(field.key), what);
      if (value) values[field.key] = *value;
      ok = ok && value.has_value();
    }
    ok = ok && diagnostics_.size() == before;
  }
  for (const ParamSpec& spec : schema.params) {
    if (given.count(spec.name)) continue;
    if (spec.required) {
      const YAML::Node& at = node.IsDefined() && !node.IsNull() ? node : owner;
      error(at, what + " is missing required param '" + spec.name + "' (" +
                    param_kind_name(spec.kind) + ": " + spec.doc + ")");
      ok = false;
    } else if (!spec.default_value.is_null()) {
      values[spec.name] = spec.default_value;
    }
  }
  if (!ok) return std::nullopt;
  // Keep the schema's order, so records and dry runs list params predictably.
  Json ordered = Json::object();
  for (const ParamSpec& spec : schema.params) {
    if (values.contains(spec.name)) ordered[spec.name] = values[spec.name];
  }
  return ordered;
}

}  // namespace faultline

#include "runner/plan/node_reader.h"

#include <set>

#include "runner/core/pattern.h"
#include "runner/core/suggest.h"
#include "runner/plan/yaml_limits.h"

namespace faultline {
namespace {

std::string kind_of(const YAML::Node& node) {
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  if (node.IsNull()) return "nothing";
  return "'" + node.Scalar() + "'";
}

// RE2, not std::regex: std::regex recurses per character, and a long value overflowed
// the stack. These patterns are constants, so they always compile.
Pattern fixed_pattern(const char* text) { return *Pattern::compile(text); }

bool all_digits(const std::string& text, size_t from = 0) {
  if (text.size() <= from) return false;
  for (size_t i = from; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

}  // namespace

SourceLocation NodeReader::where(const YAML::Node& node) const {
  YAML::Mark mark = node.Mark();
  if (mark.is_null()) return {file_, 0, 0};
  return {file_, mark.line + 1, mark.column + 1};
}

void NodeReader::error(const YAML::Node& node, const std::string& message) {
  // Past the budget, every read comes back empty: what is missing then is not a mistake.
  if (over_budget_) return;
  diagnostics_.push_back({where(node), message, Severity::error});
  ++errors_;
}

void NodeReader::error_in_scalar(const YAML::Node& node, size_t offset,
                                 const std::string& message) {
  if (over_budget_) return;
  SourceLocation at = where(node);
  // yaml-cpp tags a plain scalar "?" and a quoted one "!": the text starts past the quote.
  if (at.line > 0) at.column += static_cast<int>(offset) + (node.Tag() == "!" ? 1 : 0);
  diagnostics_.push_back({at, message, Severity::error});
  ++errors_;
}

void NodeReader::note(const YAML::Node& node, const std::string& message) {
  if (over_budget_) return;
  diagnostics_.push_back({where(node), message, Severity::note});
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

std::optional<Substituted> NodeReader::substituted(const YAML::Node& node,
                                                   const std::string& what) {
  if (!node.IsScalar()) {
    error(node, what + " must be a single value, not " + kind_of(node));
    return std::nullopt;
  }
  auto substituted = substitutions_.apply(node.Scalar());
  if (!substituted.ok()) {
    error(node, what + ": " + substituted.error().message);
    return std::nullopt;
  }
  if (!substituted->missing) return std::move(*substituted);
  const MissingValue& missing = *substituted->missing;
  ++missing_values_read_;
  last_missing_value_ = missing;
  if (mode_ == LoadMode::to_check) return std::move(*substituted);
  if (missing.source == MissingValue::Source::env) {
    error(node, what + ": environment variable '" + missing.name + "' is not set");
  } else {
    error(node, what + ": variable '" + missing.name + "' has no value; pass --var " +
                    missing.name + "=VALUE");
  }
  return std::nullopt;
}

std::optional<std::string> NodeReader::text(const YAML::Node& node, const std::string& what) {
  auto value = substituted(node, what);
  if (!value) return std::nullopt;
  // A var without a value has its note where it is declared; an env var has none, so
  // its first use gets one.
  if (value->missing && value->missing->source == MissingValue::Source::env &&
      unset_env_noted_.insert(value->missing->name).second) {
    note(node, "environment variable '" + value->missing->name +
                   "' is not set; checked without it (set it to check it too)");
  }
  return std::move(value->text);
}

std::optional<std::string> NodeReader::checkable_text(const YAML::Node& node,
                                                      const std::string& what) {
  auto value = substituted(node, what);
  if (!value) return std::nullopt;
  if (!value->missing) return std::move(value->text);
  not_checked(node, what, *value->missing);
  return std::nullopt;
}

void NodeReader::not_checked(const YAML::Node& node, const std::string& what,
                             const MissingValue& missing) {
  if (missing.source == MissingValue::Source::var) {
    note(node, what + " is not checked: it needs var '" + missing.name + "'");
    return;
  }
  unset_env_noted_.insert(missing.name);
  note(node, what + " is not checked: it needs environment variable '" + missing.name +
                 "', which is not set");
}

std::optional<Millis> NodeReader::duration(const YAML::Node& node, const std::string& what) {
  auto value = checkable_text(node, what);
  if (!value) return std::nullopt;
  auto parsed = parse_duration(*value);
  if (!parsed.ok()) {
    error(node, what + ": " + parsed.error().message);
    return std::nullopt;
  }
  return *parsed;
}

std::optional<Millis> NodeReader::positive_duration(const YAML::Node& node,
                                                    const std::string& what) {
  auto value = duration(node, what);
  if (value && value->count() <= 0) {
    error(node, what + " must be longer than 0s");
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> NodeReader::integer(const YAML::Node& node, const std::string& what,
                                           int64_t min, int64_t max) {
  auto value = checkable_text(node, what);
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
  auto value = checkable_text(node, what);
  if (!value) return std::nullopt;
  if (*value == "true") return true;
  if (*value == "false") return false;
  error(node, what + " must be true or false, not '" + *value + "'");
  return std::nullopt;
}

std::optional<double> NodeReader::percent(const YAML::Node& node, const std::string& what) {
  auto value = checkable_text(node, what);
  if (!value) return std::nullopt;
  std::string number = *value;
  if (!number.empty() && number.back() == '%') number.pop_back();
  static const Pattern decimal = fixed_pattern(R"([0-9]{1,3}(\.[0-9]{1,6})?)");
  if (!decimal.matches_whole(number) || std::stod(number) > 100.0) {
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
  auto value = checkable_text(node, what);
  if (!value) return std::nullopt;
  static const Pattern name = fixed_pattern("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
  if (!name.matches_whole(*value)) {
    error(node, what + " '" + *value + "' must be letters, digits, '.', '_' or '-' (up to 128)");
    return std::nullopt;
  }
  return value;
}

}  // namespace faultline

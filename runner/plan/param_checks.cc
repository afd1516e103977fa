#include "runner/plan/param_checks.h"

#include <set>

#include "runner/core/pattern.h"
#include "runner/core/signals.h"
#include "runner/core/suggest.h"

namespace faultline {
namespace {

std::optional<Json> read_param(NodeReader& reader, const YAML::Node& node, const ParamSpec& spec,
                               const std::string& what) {
  std::string label = what + " param '" + spec.name + "'";
  switch (spec.kind) {
    case ParamKind::string: {
      auto value = reader.text(node, label);
      return value ? std::optional<Json>(*value) : std::nullopt;
    }
    case ParamKind::integer: {
      auto value = reader.integer(node, label, INT32_MIN, INT32_MAX);
      return value ? std::optional<Json>(*value) : std::nullopt;
    }
    case ParamKind::boolean: {
      auto value = reader.boolean(node, label);
      return value ? std::optional<Json>(*value) : std::nullopt;
    }
    case ParamKind::duration: {
      auto value = reader.duration(node, label);
      return value ? std::optional<Json>(value->count()) : std::nullopt;
    }
    case ParamKind::command: {
      auto value = reader.command(node, label);
      return value ? std::optional<Json>(*value) : std::nullopt;
    }
    case ParamKind::string_list: {
      Json list = Json::array();
      for (const auto& item : reader.items(node, label)) {
        auto value = reader.text(item, label + " item");
        if (!value) return std::nullopt;
        list.push_back(*value);
      }
      return node.IsSequence() ? std::optional<Json>(list) : std::nullopt;
    }
    case ParamKind::string_map: {
      Json map = Json::object();
      for (const Field& field : reader.entries(node, label)) {
        auto value = reader.text(field.value, label + " '" + field.key + "'");
        if (!value) return std::nullopt;
        map[field.key] = *value;
      }
      return node.IsMap() ? std::optional<Json>(map) : std::nullopt;
    }
    case ParamKind::signal: {
      auto value = reader.checkable_text(node, label);
      if (!value) return std::nullopt;
      auto signal = parse_signal(*value);
      if (!signal.ok()) {
        reader.error(node, label + ": " + signal.error().message);
        return std::nullopt;
      }
      return Json(*signal);
    }
    case ParamKind::regex: {
      auto value = reader.checkable_text(node, label);
      if (!value) return std::nullopt;
      if (auto compiled = Pattern::compile(*value); !compiled.ok()) {
        reader.error(node, label + ": " + compiled.error().message);
        return std::nullopt;
      }
      return Json(*value);
    }
    case ParamKind::choice: {
      auto value = reader.checkable_text(node, label);
      if (!value) return std::nullopt;
      for (const auto& choice : spec.choices) {
        if (choice == *value) return Json(*value);
      }
      std::string list;
      for (const auto& choice : spec.choices) list += (list.empty() ? "" : ", ") + choice;
      reader.error(node, label + " must be one of " + list + ", not '" + *value + "'" +
                             did_you_mean(*value, spec.choices));
      return std::nullopt;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<CheckedParams> read_params(NodeReader& reader, const YAML::Node& node,
                                         const YAML::Node& owner, const Schema& schema,
                                         const std::string& what) {
  CheckedParams checked;
  Json values = Json::object();
  bool ok = true;
  std::set<std::string> given;
  if (node.IsDefined() && !node.IsNull()) {
    size_t errors_before = reader.error_count();
    for (const Field& field : reader.fields(node, schema.names(), what + " params")) {
      const ParamSpec& spec = *schema.find(field.key);
      given.insert(field.key);
      checked.nodes[field.key] = field.value;
      size_t missing_before = reader.missing_values_read();
      auto value = read_param(reader, field.value, spec, what);
      bool needs_missing = reader.missing_values_read() != missing_before;
      if (needs_missing) checked.missing.emplace(field.key, *reader.last_missing_value());
      if (value) {
        values[field.key] = *value;
      } else if (needs_missing) {
        // Left unchecked, with its note. The default, when there is one, lets the type's
        // configure() still check the other params.
        checked.noted.insert(field.key);
        if (!spec.default_value.is_null()) values[field.key] = spec.default_value;
      } else {
        ok = false;
      }
    }
    ok = ok && reader.error_count() == errors_before;
  }
  for (const ParamSpec& spec : schema.params) {
    if (given.count(spec.name)) continue;
    if (spec.required) {
      const YAML::Node& at = node.IsDefined() && !node.IsNull() ? node : owner;
      reader.error(at, what + " is missing required param '" + spec.name + "' (" +
                           param_kind_name(spec.kind) + ": " + spec.doc + ")");
      ok = false;
    } else if (!spec.default_value.is_null()) {
      values[spec.name] = spec.default_value;
    }
  }
  if (!ok) return std::nullopt;
  // Keep the schema's order, so records and dry runs list params predictably.
  checked.values = Json::object();
  for (const ParamSpec& spec : schema.params) {
    if (values.contains(spec.name)) checked.values[spec.name] = values[spec.name];
  }
  return checked;
}

bool report_configure_error(NodeReader& reader, const CheckedParams& params, const Error& error,
                            const YAML::Node& fallback, const std::string& what) {
  auto node = params.nodes.find(error.field);
  auto missing = params.missing.find(error.field);
  if (missing != params.missing.end()) {
    if (!params.noted.count(error.field))
      reader.not_checked(node->second, what + " param '" + error.field + "'", missing->second);
    return false;
  }
  // Not tied to a param, while some param had no value: that may be why.
  if (error.field.empty() && !params.missing.empty()) {
    reader.not_checked(fallback, what, params.missing.begin()->second);
    return false;
  }
  reader.error(node != params.nodes.end() ? node->second : fallback, what + ": " + error.message);
  return true;
}

}  // namespace faultline

#include "plugins/exec/describe.h"

#include "runner/core/json_reader.h"
#include "runner/core/signals.h"

namespace faultline {
namespace {

Result<ParamKind> kind_named(const std::string& name) {
  static const std::pair<const char*, ParamKind> kKinds[] = {
      {"string", ParamKind::string},   {"integer", ParamKind::integer},
      {"boolean", ParamKind::boolean}, {"duration", ParamKind::duration},
      {"command", ParamKind::command}, {"list", ParamKind::string_list},
      {"map", ParamKind::string_map},  {"signal", ParamKind::signal},
      {"regex", ParamKind::regex},     {"choice", ParamKind::choice}};
  for (const auto& [known, kind] : kKinds) {
    if (name == known) return kind;
  }
  return Error{ErrorCode::invalid, "unknown param kind '" + name + "'"};
}

// Defaults are written as a plan would write them ("30s", "TERM"); store them normalized,
// and refuse a default of the wrong kind (it would reach a fault as a surprise).
Result<Json> normalized_default(const ParamSpec& spec, const Json& value) {
  if (value.is_null()) return value;
  auto wrong = [&](const char* expected) {
    return Error{ErrorCode::invalid,
                 "default must be " + std::string(expected) + ", not " + json_brief(value)};
  };
  switch (spec.kind) {
    case ParamKind::duration: {
      if (!value.is_string()) return wrong("a duration such as \"30s\"");
      auto parsed = parse_duration(value.get<std::string>());
      if (!parsed.ok()) return parsed.error();
      return Json(parsed->count());
    }
    case ParamKind::signal: {
      if (!value.is_string()) return wrong("a signal name such as \"TERM\"");
      auto parsed = parse_signal(value.get<std::string>());
      if (!parsed.ok()) return parsed.error();
      return Json(*parsed);
    }
    case ParamKind::integer:
      if (!value.is_number_integer()) return wrong("an integer");
      return value;
    case ParamKind::boolean:
      if (!value.is_boolean()) return wrong("true or false");
      return value;
    case ParamKind::string_list:
    case ParamKind::command:
      if (!value.is_array()) return wrong("a list of strings");
      for (const auto& item : value) {
        if (!item.is_string()) return wrong("a list of strings");
      }
      return value;
    case ParamKind::string_map:
      if (!value.is_object()) return wrong("a map of strings");
      for (const auto& [key, item] : value.items()) {
        if (!item.is_string()) return wrong("a map of strings");
      }
      return value;
    default:
      if (!value.is_string()) return wrong("a string");
      return value;
  }
}

// `entry` is one param of a type; errors name the type and the param.
Result<ParamSpec> param_from(const JsonReader& entry, const std::string& type_where) {
  if (Status object = entry.expect_object("a param object"); !object) return object.error();
  auto name = entry.text("name");
  if (!name.ok()) return name.error();
  // Every later error names the param, not only its index.
  JsonReader param(entry.json(), type_where + " param '" + *name + "'");
  auto in_param = [&](const Error& error) { return error.with_context(param.where()); };
  ParamSpec spec;
  spec.name = *name;
  auto kind_text = param.text_or("kind", "string");
  if (!kind_text.ok()) return kind_text.error();
  auto kind = kind_named(*kind_text);
  if (!kind.ok()) return in_param(kind.error());
  spec.kind = *kind;
  auto required = param.boolean_or("required", false);
  if (!required.ok()) return required.error();
  spec.required = *required;
  auto doc = param.text_or("doc", "");
  if (!doc.ok()) return doc.error();
  spec.doc = *doc;
  auto choices = param.strings_or("choices");
  if (!choices.ok()) return choices.error();
  spec.choices = *choices;
  if (spec.kind == ParamKind::choice && spec.choices.empty()) {
    return in_param(Error{ErrorCode::invalid, "kind choice needs a list of 'choices'"});
  }
  auto fallback = normalized_default(spec, param.raw("default"));
  if (!fallback.ok()) return in_param(fallback.error());
  spec.default_value = *fallback;
  return spec;
}

Result<PluginTypeDescription> type_from(const JsonReader& entry) {
  if (Status object = entry.expect_object("a type object"); !object) return object.error();
  auto name = entry.text("name");
  if (!name.ok()) return name.error();
  if (name->find('.') == std::string::npos || name->front() == '.' || name->back() == '.') {
    return Error{ErrorCode::invalid,
                 entry.where() + ": name '" + *name + "' must be dotted, e.g. myteam.flag"};
  }
  // Every later error names the type, not only its index.
  JsonReader type_reader(entry.json(), entry.where() + " '" + *name + "'");
  auto summary = type_reader.text_or("summary", "");
  if (!summary.ok()) return summary.error();
  auto params = type_reader.items_or_empty("params");
  if (!params.ok()) return params.error();
  PluginTypeDescription type{*name, *summary, {}};
  for (const JsonReader& param : *params) {
    auto spec = param_from(param, type_reader.where());
    if (!spec.ok()) return spec.error();
    if (type.schema.find(spec->name)) {
      return Error{ErrorCode::invalid,
                   type_reader.where() + ": param '" + spec->name + "' is described twice"};
    }
    type.schema.params.push_back(*spec);
  }
  return type;
}

}  // namespace

Result<PluginTypeDescription> parse_plugin_type(const Json& entry, const std::string& where) {
  return type_from(JsonReader(entry, where));
}

Result<PluginDescription> parse_plugin_description(const std::string& output) {
  Json description = Json::parse(output, nullptr, /*allow_exceptions=*/false);
  JsonReader reader(description, "describe");
  if (!reader.is_object()) {
    return Error{ErrorCode::invalid, "'describe' did not print a JSON object"};
  }
  auto protocol = reader.integer_or("protocol", 0);
  if (!protocol.ok()) return protocol.error();
  if (*protocol != kPluginProtocol) {
    return Error{ErrorCode::invalid, "speaks protocol " + std::to_string(*protocol) +
                                         "; this faultline speaks " +
                                         std::to_string(kPluginProtocol)};
  }
  PluginDescription out;
  for (const char* section : {"faults", "probes"}) {
    auto entries = reader.items_or_empty(section);
    if (!entries.ok()) return entries.error();
    for (const JsonReader& entry : *entries) {
      auto type = type_from(entry);
      if (!type.ok()) return type.error();
      (std::string(section) == "faults" ? out.faults : out.probes).push_back(*type);
    }
  }
  return out;
}

}  // namespace faultline

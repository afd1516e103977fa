#include "runner/core/params.h"

#include "runner/core/signals.h"

namespace faultline {

std::string param_kind_name(ParamKind kind) {
  switch (kind) {
    case ParamKind::string:
      return "string";
    case ParamKind::integer:
      return "integer";
    case ParamKind::boolean:
      return "boolean";
    case ParamKind::duration:
      return "duration";
    case ParamKind::command:
      return "command";
    case ParamKind::string_list:
      return "list of strings";
    case ParamKind::string_map:
      return "map of strings";
    case ParamKind::signal:
      return "signal";
    case ParamKind::regex:
      return "regex";
    case ParamKind::choice:
      return "choice";
  }
  return "?";
}

const ParamSpec* Schema::find(const std::string& name) const {
  for (const auto& param : params) {
    if (param.name == name) return &param;
  }
  return nullptr;
}

std::vector<std::string> Schema::names() const {
  std::vector<std::string> out;
  for (const auto& param : params) out.push_back(param.name);
  return out;
}

Json Schema::to_json() const {
  Json out = Json::array();
  for (const auto& param : params) {
    Json entry{{"name", param.name},
               {"kind", param_kind_name(param.kind)},
               {"required", param.required},
               {"default", param.default_value},
               {"doc", param.doc}};
    if (!param.choices.empty()) entry["choices"] = param.choices;
    out.push_back(entry);
  }
  return out;
}

Json Schema::for_record(const Json& values) const {
  Json out = Json::object();
  if (!values.is_object()) return out;
  for (const auto& [name, value] : values.items()) {
    const ParamSpec* spec = find(name);
    if (spec && spec->kind == ParamKind::duration && value.is_number_integer()) {
      out[name + "_ms"] = value;
    } else if (spec && spec->kind == ParamKind::signal && value.is_number_integer()) {
      out[name] = signal_name(value.get<int>());
    } else {
      out[name] = value;
    }
  }
  return out;
}

// The schema was enforced when the plan loaded, but a plugin's schema or a caller may
// still hand over a value of another kind: accessors fall back instead of throwing.
bool Params::has(const std::string& name) const {
  auto found = values_.find(name);
  return found != values_.end() && !found->is_null();
}
std::string Params::text(const std::string& name) const {
  auto found = values_.find(name);
  return found != values_.end() && found->is_string() ? found->get<std::string>() : "";
}
int64_t Params::integer(const std::string& name) const {
  auto found = values_.find(name);
  return found != values_.end() && found->is_number_integer() ? found->get<int64_t>() : 0;
}
bool Params::boolean(const std::string& name) const {
  auto found = values_.find(name);
  return found != values_.end() && found->is_boolean() && found->get<bool>();
}
Millis Params::duration(const std::string& name) const { return Millis(integer(name)); }
std::vector<std::string> Params::strings(const std::string& name) const {
  std::vector<std::string> out;
  auto found = values_.find(name);
  if (found == values_.end() || !found->is_array()) return out;
  for (const auto& item : *found) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}
std::map<std::string, std::string> Params::string_map(const std::string& name) const {
  std::map<std::string, std::string> out;
  auto found = values_.find(name);
  if (found == values_.end() || !found->is_object()) return out;
  for (const auto& [key, value] : found->items()) {
    if (value.is_string()) out[key] = value.get<std::string>();
  }
  return out;
}

}  // namespace faultline

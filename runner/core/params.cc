#include "runner/core/params.h"

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

bool Params::has(const std::string& name) const {
  return values_.contains(name) && !values_[name].is_null();
}
std::string Params::text(const std::string& name) const {
  return has(name) ? values_[name].get<std::string>() : "";
}
int64_t Params::integer(const std::string& name) const {
  return has(name) ? values_[name].get<int64_t>() : 0;
}
bool Params::boolean(const std::string& name) const {
  return has(name) && values_[name].get<bool>();
}
Millis Params::duration(const std::string& name) const { return Millis(integer(name)); }
std::vector<std::string> Params::strings(const std::string& name) const {
  return has(name) ? values_[name].get<std::vector<std::string>>() : std::vector<std::string>{};
}
std::map<std::string, std::string> Params::string_map(const std::string& name) const {
  std::map<std::string, std::string> out;
  if (has(name)) {
    for (auto& [key, value] : values_[name].items()) out[key] = value.get<std::string>();
  }
  return out;
}

}  // namespace faultline

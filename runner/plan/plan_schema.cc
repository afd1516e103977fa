#include "runner/plan/plan_schema.h"

#include "runner/core/signals.h"
#include "runner/plan/plan_loader.h"

namespace faultline {
namespace {

Json ref(const std::string& name) { return Json{{"$ref", "#/$defs/" + name}}; }

// A value the loader substitutes first (${var:X}, ${env:X}) may stand for any scalar.
Json or_substituted(Json schema) {
  return Json{{"anyOf", Json::array({schema, ref("substituted")})}};
}

Json described(Json schema, const std::string& text) {
  schema["description"] = text;
  return schema;
}

Json object_of(Json properties, std::vector<std::string> required = {}) {
  Json schema{
      {"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = required;
  return schema;
}

// The plan writes a scalar; YAML may read 8080 as a number and yes as a boolean, and
// the loader reads them all as text.
Json scalar() { return Json{{"type", Json::array({"string", "number", "boolean"})}}; }

Json kind_schema(const ParamSpec& spec) {
  switch (spec.kind) {
    case ParamKind::string:
    case ParamKind::regex:
      return scalar();
    case ParamKind::integer:
      return or_substituted(Json{{"type", "integer"}});
    case ParamKind::boolean:
      return or_substituted(Json{{"type", "boolean"}});
    case ParamKind::duration:
      return ref("duration");
    case ParamKind::command:
      return ref("command");
    case ParamKind::string_list:
      return Json{{"type", "array"}, {"items", scalar()}};
    case ParamKind::string_map:
      return Json{{"type", "object"}, {"additionalProperties", scalar()}};
    case ParamKind::signal:
      return Json{{"type", Json::array({"string", "integer"})}};
    case ParamKind::choice:
      return or_substituted(Json{{"enum", spec.choices}});
  }
  return Json::object();
}

Json default_for(const ParamSpec& spec) {
  if (spec.kind == ParamKind::duration) {
    return format_duration(Millis(spec.default_value.get<int64_t>()));
  }
  if (spec.kind == ParamKind::signal) return signal_name(spec.default_value.get<int>());
  return spec.default_value;
}

Json params_schema(const Schema& schema) {
  Json properties = Json::object();
  std::vector<std::string> required;
  for (const auto& spec : schema.params) {
    Json param =
        described(kind_schema(spec), spec.doc.empty() ? param_kind_name(spec.kind) : spec.doc);
    if (!spec.default_value.is_null()) param["default"] = default_for(spec);
    properties[spec.name] = param;
    if (spec.required) required.push_back(spec.name);
  }
  Json params = object_of(properties, required);
  return params;
}

template <class Type>
Json type_params(const Type& type) {
  Json params = described(params_schema(type.schema()), type.summary());
  std::string shorthand;
  if constexpr (std::is_same_v<Type, ProbeType>) shorthand = type.shorthand_param();
  if (!shorthand.empty()) {
    Json alone = described(scalar(), "the same as {" + shorthand + ": ...}");
    return Json{{"anyOf", Json::array({params, alone})}, {"description", type.summary()}};
  }
  return params;
}

// A probe: an optional name and exactly one type key holding that type's params.
Json probe_schema(const Registry& registry, const std::vector<std::string>& extra_keys) {
  Json properties{{"name", ref("identifier")}};
  Json one_type = Json::array();
  for (const auto& name : registry.probe_type_names()) {
    properties[name] = type_params(*registry.probe_type(name));
    one_type.push_back(Json{{"required", Json::array({name})}});
  }
  for (const auto& key : extra_keys) properties[key] = ref("duration");
  Json schema = object_of(properties);
  schema["oneOf"] = one_type;
  return schema;
}

Json fault_schema(const Registry& registry) {
  Json target = object_of(Json{{"service", described(scalar(), "a service of this plan")},
                               {"pidfile", described(scalar(), "a pidfile naming the process")},
                               {"process", described(scalar(), "a process name, matched exactly")},
                               {"all", or_substituted(Json{{"type", "boolean"}})},
                               {"max", or_substituted(Json{{"type", "integer"}})},
                               {"user", scalar()}});
  Json types = registry.fault_type_names();
  Json fault = object_of(
      Json{{"name", ref("identifier")},
           {"type", described(Json{{"enum", types}}, "a fault type (faultline types)")},
           {"at", described(ref("duration"), "offset from the end of the baseline")},
           {"after", described(scalar(), "NAME + DURATION: offset from when NAME was injected")},
           {"duration", described(ref("duration"), "rolled back this long after injected")},
           {"target", target},
           {"params", Json{{"type", "object"}}}},
      {"name", "type"});
  Json each = Json::array();
  for (const auto& name : registry.fault_type_names()) {
    each.push_back(Json{
        {"if", Json{{"properties", Json{{"type", Json{{"const", name}}}}},
                    {"required", Json::array({"type"})}}},
        {"then", Json{{"properties", Json{{"params", type_params(*registry.fault_type(name))}}}}}});
  }
  fault["allOf"] = each;
  return fault;
}

Json service_schema() {
  return object_of(
      Json{{"command", ref("command")},
           {"cwd", scalar()},
           {"env", Json{{"type", "object"}, {"additionalProperties", scalar()}}},
           {"ready", ref("ready")},
           {"restart", object_of(Json{{"policy", or_substituted(Json{
                                                     {"enum", {"always", "on-failure", "never"}}})},
                                      {"delay", ref("duration")}})},
           {"stop_signal", Json{{"type", Json::array({"string", "integer"})}}},
           {"stop_timeout", ref("duration")}},
      {"command"});
}

Json plan_properties() {
  Json count = or_substituted(Json{{"type", "integer"}, {"minimum", 1}});
  Json var =
      Json{{"anyOf", Json::array({scalar(), object_of(Json{{"default", scalar()},
                                                           {"secret", Json{{"type", "boolean"}}},
                                                           {"description", scalar()}})})}};
  return Json{
      {"version", described(Json{{"enum", {1, "1"}}}, "the plan format version")},
      {"name", described(ref("identifier"), "the drill's name: letters, digits, . _ -")},
      {"description", scalar()},
      {"owner", scalar()},
      {"runbook", described(scalar(), "the emergency plan (runbook) this drill exercises")},
      {"vars", Json{{"type", "object"}, {"additionalProperties", var}}},
      {"objectives",
       object_of(Json{
           {"rto", ref("duration")}, {"availability", ref("percent")}, {"rpo", ref("duration")}})},
      {"services", Json{{"type", "object"}, {"additionalProperties", service_schema()}}},
      {"steady_state",
       object_of(
           Json{{"interval", ref("duration")},
                {"recovered_after", count},
                {"baseline_rounds", count},
                {"max_in_flight", count},
                {"probes", Json{{"type", "array"}, {"minItems", 1}, {"items", ref("probe")}}}},
           {"probes"})},
      {"faults", Json{{"type", "array"}, {"items", ref("fault")}}},
      {"recovery", object_of(Json{{"timeout", ref("duration")}, {"observe", ref("duration")}})},
      {"plugins", described(Json{{"type", "array"}, {"items", {{"type", "string"}}}},
                            "plugin files or folders, relative to this plan")},
      {"schedule",
       described(
           object_of(Json{{"cron", described(scalar(), "minute hour day month weekday, or @daily")},
                          {"timezone", described(scalar(), "an IANA zone: Europe/Berlin, UTC")}},
                     {"cron", "timezone"}),
           "when the drill is due; faultline audit compares it with the records")}};
}

}  // namespace

Json plan_json_schema(const Registry& registry) {
  Json properties = plan_properties();
  // A key the loader knows and this schema does not describe yet stays allowed.
  for (const auto& key : plan_top_keys()) {
    if (!properties.contains(key)) properties[key] = Json{{"description", "see README"}};
  }
  Json schema{{"$schema", "https://json-schema.org/draft/2020-12/schema"},
              {"$id", "https://faultline.dev/schema/plan.json"},
              {"title", "faultline drill plan"},
              {"type", "object"},
              {"required", {"version", "name", "steady_state", "faults"}},
              {"properties", properties},
              {"additionalProperties", false}};
  schema["$defs"] = Json{
      {"substituted", Json{{"type", "string"}, {"pattern", "\\$\\{(var|env):[^}]+\\}"}}},
      {"identifier",
       or_substituted(Json{{"type", "string"}, {"pattern", "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"}})},
      {"duration", described(or_substituted(Json{{"type", "string"},
                                                 {"pattern", "^([0-9]+(\\.[0-9]+)?(ms|h|m|s))+$"}}),
                             "250ms, 2s, 1.5s, 1m30s, 2h (at most 720h)")},
      {"percent", or_substituted(Json{{"type", Json::array({"string", "number"})},
                                      {"pattern", "^[0-9]{1,3}(\\.[0-9]{1,6})?%?$"}})},
      {"command", Json{{"anyOf", Json::array({Json{{"type", "string"}},
                                              Json{{"type", "array"}, {"items", scalar()}}})}}},
      {"probe", probe_schema(registry, {})},
      {"ready", probe_schema(registry, {"timeout"})},
      {"fault", fault_schema(registry)}};
  return schema;
}

}  // namespace faultline

#pragma once
// Parameter schemas for fault and probe types. The plan loader checks every
// parameter against its type's schema (kind, required, unknown names) and converts it
// to a normalized JSON value; the type's configure() then only checks what a schema
// cannot express. `faultline types` prints these schemas.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runner/core/duration.h"
#include "runner/core/json.h"

namespace faultline {

enum class ParamKind {
  string,
  integer,
  boolean,
  duration,  // normalized to integer milliseconds
  command,   // a list (argv) or a string run by /bin/sh -c; normalized to a list
  string_list,
  string_map,
  signal,  // name or number; normalized to the number
  regex,   // RE2 syntax (linear time); checked to compile
  choice,  // one of ParamSpec::choices
};

std::string param_kind_name(ParamKind kind);

struct ParamSpec {
  std::string name;
  ParamKind kind = ParamKind::string;
  bool required = false;
  Json default_value;  // null: no default
  std::string doc;
  std::vector<std::string> choices;
};

struct Schema {
  std::vector<ParamSpec> params;

  const ParamSpec* find(const std::string& name) const;
  std::vector<std::string> names() const;
  Json to_json() const;
  // Normalized values as a record shows them: a duration param `timeout` becomes
  // `timeout_ms`, a signal its name ("KILL"), everything else as it is.
  Json for_record(const Json& values) const;
};

// Validated, normalized parameters. Accessors never throw: a missing value, or one of
// another kind, gives the empty value of the accessor's type.
class Params {
 public:
  Params() = default;
  explicit Params(Json values) : values_(std::move(values)) {}

  bool has(const std::string& name) const;
  std::string text(const std::string& name) const;
  int64_t integer(const std::string& name) const;
  bool boolean(const std::string& name) const;
  Millis duration(const std::string& name) const;
  std::vector<std::string> strings(const std::string& name) const;
  std::map<std::string, std::string> string_map(const std::string& name) const;
  const Json& json() const { return values_; }

 private:
  Json values_ = Json::object();
};

}  // namespace faultline

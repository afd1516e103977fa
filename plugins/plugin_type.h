#pragma once
// What every plugin-provided type has, whichever host runs it (exec or Lua): its name,
// the file that declares it, a summary, a parameter schema. Exec and Lua fault and probe
// types derive from this one base, and register in the Registry exactly as built-in
// types do.
#include <string>
#include <utility>

#include "runner/core/params.h"

namespace faultline {

// A plugin call may be given a "timeout" param of kind duration (milliseconds once
// normalized); a param of any other kind named timeout is the plugin's own business (an
// integer 5 is not 5 ms, and a string is not a duration at all).
inline Millis plugin_timeout(const Schema& schema, const Json& params, Millis fallback) {
  const ParamSpec* spec = schema.find("timeout");
  if (spec == nullptr || spec->kind != ParamKind::duration) return fallback;
  Millis given = Params(params).duration("timeout");
  return given.count() > 0 ? given : fallback;
}

template <class TypeInterface>
class PluginType : public TypeInterface {
 public:
  PluginType(std::string name, std::string file, std::string summary, Schema schema)
      : name_(std::move(name)),
        file_(std::move(file)),
        summary_(std::move(summary)),
        schema_(std::move(schema)) {}
  std::string name() const override { return name_; }
  std::string summary() const override { return summary_ + " (plugin " + file_ + ")"; }
  const Schema& schema() const override { return schema_; }
  // The absolute path of the plugin file that declares this type.
  const std::string& file() const { return file_; }

 private:
  std::string name_;
  std::string file_;
  std::string summary_;
  Schema schema_;
};

}  // namespace faultline

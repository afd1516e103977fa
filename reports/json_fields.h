#pragma once
// Reading fields of a record without ever throwing. The writers here also take records
// read back from disk, which we may not have written (an older faultline, a hand edit):
// nlohmann's at(), get<T>() and value() throw type_error when a field has another type,
// and a report must not fail over one odd field. Each helper gives the caller's fallback
// when the field is missing or of another type, and accepts any JSON as `object`.
#include <string>

#include "runner/core/json.h"

namespace faultline {

// The field `key` of `object`, or null when `object` is not an object or lacks it.
inline const Json& field_of(const Json& object, const char* key) {
  static const Json missing;
  if (!object.is_object()) return missing;
  auto found = object.find(key);
  return found == object.end() ? missing : *found;
}

inline std::string text_field(const Json& object, const char* key, const std::string& fallback) {
  const Json& value = field_of(object, key);
  return value.is_string() ? value.get_ref<const std::string&>() : fallback;
}

inline double number_field(const Json& object, const char* key, double fallback) {
  const Json& value = field_of(object, key);
  return value.is_number() ? value.get<double>() : fallback;
}

inline bool bool_field(const Json& object, const char* key, bool fallback) {
  const Json& value = field_of(object, key);
  return value.is_boolean() ? value.get<bool>() : fallback;
}

}  // namespace faultline

#include "runner/core/json_reader.h"

#include <limits>

#include "runner/core/secrets.h"

namespace faultline {
namespace {

const Json& null_json() {
  static const Json null_value;
  return null_value;
}

}  // namespace

std::string json_brief(const Json& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "a list";
  if (value.is_null()) return "null";
  // Redacted before it is shortened, so that no cut-off secret survives.
  return redacted_excerpt(json_text(value), 60);
}

JsonReader::JsonReader(const Json& value, std::string where)
    : value_(value), where_(std::move(where)) {}

const Json* JsonReader::find(std::string_view key) const {
  if (!value_.is_object()) return nullptr;
  auto found = value_.find(key);
  if (found == value_.end() || found->is_null()) return nullptr;
  return &*found;
}

bool JsonReader::has(std::string_view key) const { return find(key) != nullptr; }

const Json& JsonReader::raw(std::string_view key) const {
  const Json* found = find(key);
  return found ? *found : null_json();
}

Error JsonReader::wrong(std::string_view key, std::string_view expected) const {
  const Json* found = find(key);
  std::string got = found ? json_brief(*found) : "missing";
  return Error{ErrorCode::invalid, where_ + ": '" + std::string(key) + "' must be " +
                                       std::string(expected) +
                                       (found ? ", not " + got : ", but it is missing")};
}

Status JsonReader::expect_object(std::string_view what) const {
  if (value_.is_object()) return {};
  return Error{ErrorCode::invalid,
               where_ + ": expected " + std::string(what) + ", got " + json_brief(value_)};
}

Result<std::string> JsonReader::text(std::string_view key) const {
  const Json* found = find(key);
  if (found == nullptr || !found->is_string()) return wrong(key, "a string");
  return found->get_ref<const std::string&>();
}

Result<int64_t> JsonReader::integer(std::string_view key) const {
  const Json* found = find(key);
  if (found != nullptr && found->is_number_integer()) {
    if (found->is_number_unsigned() &&
        found->get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return wrong(key, "an integer in range");
    }
    return found->get<int64_t>();
  }
  return wrong(key, "an integer");
}

Result<uint64_t> JsonReader::unsigned_integer(std::string_view key) const {
  const Json* found = find(key);
  if (found != nullptr && found->is_number_unsigned()) return found->get<uint64_t>();
  return wrong(key, "a non-negative integer");
}

Result<bool> JsonReader::boolean(std::string_view key) const {
  const Json* found = find(key);
  if (found == nullptr || !found->is_boolean()) return wrong(key, "true or false");
  return found->get<bool>();
}

Result<JsonReader> JsonReader::object(std::string_view key) const {
  const Json* found = find(key);
  if (found == nullptr || !found->is_object()) return wrong(key, "an object");
  return JsonReader(*found, where_ + " '" + std::string(key) + "'");
}

Result<std::string> JsonReader::text_or(std::string_view key, std::string fallback) const {
  if (!has(key)) return fallback;
  return text(key);
}

Result<int64_t> JsonReader::integer_or(std::string_view key, int64_t fallback) const {
  if (!has(key)) return fallback;
  return integer(key);
}

Result<bool> JsonReader::boolean_or(std::string_view key, bool fallback) const {
  if (!has(key)) return fallback;
  return boolean(key);
}

Result<std::vector<std::string>> JsonReader::strings_or(std::string_view key,
                                                        std::vector<std::string> fallback) const {
  const Json* found = find(key);
  if (found == nullptr) return fallback;
  if (!found->is_array()) return wrong(key, "a list of strings");
  std::vector<std::string> out;
  for (const auto& item : *found) {
    if (!item.is_string()) return wrong(key, "a list of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::vector<JsonReader>> JsonReader::items_or_empty(std::string_view key) const {
  const Json* found = find(key);
  std::vector<JsonReader> out;
  if (found == nullptr) return out;
  if (!found->is_array()) return wrong(key, "a list");
  size_t index = 0;
  for (const auto& item : *found) {
    out.emplace_back(item, where_ + " '" + std::string(key) + "'[" + std::to_string(index++) + "]");
  }
  return out;
}

}  // namespace faultline

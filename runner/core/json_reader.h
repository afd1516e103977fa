#pragma once
// Reads JSON that faultline did not write in this process (journal lines, a plugin's
// answers, records read back from disk) without ever throwing. nlohmann's accessors
// throw on a wrong type, and a throw while faults are injected would skip their
// rollback; here a wrong type is an Error that says where and what was expected:
//   "journal /x/y.jsonl line 3: 'pid' must be an integer, not \"abc\"".
// A reader does not own the JSON it reads: the value must outlive it.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runner/core/json.h"
#include "runner/core/result.h"

namespace faultline {

class JsonReader {
 public:
  // `where` prefixes every error ("plugin /p describe", "journal F line 3").
  JsonReader(const Json& value, std::string where);

  const Json& json() const { return value_; }
  const std::string& where() const { return where_; }
  bool is_object() const { return value_.is_object(); }
  // Present and not null.
  bool has(std::string_view key) const;

  // Required fields: absent, null or of the wrong type is an error.
  Result<std::string> text(std::string_view key) const;
  Result<int64_t> integer(std::string_view key) const;
  Result<uint64_t> unsigned_integer(std::string_view key) const;
  Result<bool> boolean(std::string_view key) const;
  Result<JsonReader> object(std::string_view key) const;

  // Optional fields: absent or null gives the fallback; a wrong type is still an error
  // (a plugin that wrote "required": "yes" meant something, and must be told).
  Result<std::string> text_or(std::string_view key, std::string fallback) const;
  Result<int64_t> integer_or(std::string_view key, int64_t fallback) const;
  Result<bool> boolean_or(std::string_view key, bool fallback) const;
  Result<std::vector<std::string>> strings_or(std::string_view key,
                                              std::vector<std::string> fallback = {}) const;
  // An array field (absent: empty); each element comes back as a reader of its own.
  Result<std::vector<JsonReader>> items_or_empty(std::string_view key) const;
  // The raw value of a field, or null when absent.
  const Json& raw(std::string_view key) const;

  // Fails unless the value itself is an object, naming `what` it should have been.
  Status expect_object(std::string_view what) const;

 private:
  Error wrong(std::string_view key, std::string_view expected) const;
  const Json* find(std::string_view key) const;

  const Json& value_;
  std::string where_;
};

// A short rendering of a JSON value for messages: "\"abc\"", "[...]", "{...}", "12".
std::string json_brief(const Json& value);

}  // namespace faultline

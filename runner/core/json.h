#pragma once
#include <nlohmann/json.hpp>

namespace faultline {
// Ordered, so that records and `types --json` keep the order fields were written in.
using Json = nlohmann::ordered_json;

// Serializes without ever throwing: probe, command and plugin output may hold bytes that
// are not UTF-8, and a throw while faults are injected would skip their rollback.
// Invalid sequences become U+FFFD.
inline std::string json_text(const Json& value, int indent = -1) {
  return value.dump(indent, ' ', false, Json::error_handler_t::replace);
}
}  // namespace faultline

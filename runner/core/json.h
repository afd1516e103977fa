#pragma once
#include <nlohmann/json.hpp>

namespace faultline {
// Ordered, so that records and `types --json` keep the order fields were written in.
using Json = nlohmann::ordered_json;
}  // namespace faultline

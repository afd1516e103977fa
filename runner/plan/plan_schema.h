#pragma once
// `faultline schema`: a JSON Schema (draft 2020-12) of the whole plan language, made from
// the Registry (built-in and plugin fault and probe types, each with its params), so an
// editor (yaml-language-server) validates and completes plans. It is a guide for
// editors: the loader stays the judge (cross-references such as `after:` and service
// names, duration limits, cycles are checked only there).
#include "runner/core/json.h"
#include "runner/core/registry.h"

namespace faultline {

Json plan_json_schema(const Registry& registry);

}  // namespace faultline

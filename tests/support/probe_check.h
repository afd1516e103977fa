#pragma once
// One check of a built-in probe, configured the way the plan loader would (schema
// defaults included), on the local target.
#include <catch2/catch.hpp>

#include "runner/os/local_target.h"
#include "tests/support/test_support.h"

namespace faultline::testing {

inline ProbeOutcome check_probe(const std::string& type, Json params) {
  const ProbeType* probe_type = builtin_registry().probe_type(type);
  REQUIRE(probe_type != nullptr);
  for (const auto& spec : probe_type->schema().params) {
    if (!params.contains(spec.name) && !spec.default_value.is_null())
      params[spec.name] = spec.default_value;
  }
  auto probe = probe_type->configure(Params(params));
  REQUIRE(probe.ok());
  auto target = make_local_target();
  return (*probe)->check(*target);
}

}  // namespace faultline::testing

#pragma once
#include <memory>

#include "runner/core/probe.h"

namespace faultline {

// sql: one query through libpq on a fresh connection (multi-host connection strings and
// target_session_attrs=read-write included), within a timeout in milliseconds; passes
// when the query succeeds and, when given, returns expect_rows rows and expect_value as
// its first row's first column.
std::unique_ptr<ProbeType> make_sql_probe_type();

}  // namespace faultline

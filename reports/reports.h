#pragma once
// Drill records and what is written from them. A record is one JSON document (schema
// "faultline.record/v1"; see README "Drill records"); the writers here take that
// document, so they work equally on a record just made and one read back from disk.
#include <string>

#include "runner/core/json.h"
#include "runner/core/result.h"

namespace faultline {

// Writes <dir>/<record id>.json atomically; returns the path.
Result<std::string> write_record(const Json& record, const std::string& dir);

// JUnit XML: one test case per objective, one per steady-state probe, and one for the
// drill itself (an error when it was aborted, interrupted or a rollback failed). The
// objective and probe cases are skipped when the drill stopped before they could be
// judged. Valid against tests/data/junit.xsd for any record.
std::string junit_xml(const Json& record);
// Writes junit_xml(record) to `path` atomically, creating its parent folder if missing.
Status write_junit(const Json& record, const std::string& path);

}  // namespace faultline

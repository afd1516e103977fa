#pragma once
// Drill records and what is written from them. A record is one JSON document (schema
// "faultline.record/v1"; see README "Drill records"); the writers here take that
// document, so they work equally on a record just made and one read back from disk.
// None of them throws, whatever the document holds.
//
// No drill should run that cannot leave a record: check the destinations with
// prepare_record_dir and check_junit_destination before anything is injected, and
// write with write_record_with_fallback after.
#include <string>

#include "runner/core/json.h"
#include "runner/core/result.h"

namespace faultline {

// Creates `dir` (mkdir -p) and proves a file can be created in it, by creating and
// removing a temporary file there. Fails naming the folder and the OS reason ("records
// folder /x is not writable: Permission denied"). Passing does not promise the later
// write: a disk can fill up during the drill.
Status prepare_record_dir(const std::string& dir);

// Proves that write_junit can write `path`: it is not a folder, its parent folder exists
// (created when missing) and a file can be created there (a temporary file beside `path`
// is created and removed). A file already at `path` is never opened or changed. Fails
// naming the path and the OS reason.
Status check_junit_destination(const std::string& path);

// Writes <dir>/<record id>.json atomically; returns the path. The id is used as one file
// name: "/" in it becomes "_", and a record without one is written as record.json.
Result<std::string> write_record(const Json& record, const std::string& dir);

// write_record to `dir`; when that fails, to `fallback_dir`, and *problem (when not
// null) says why ("cannot write record to DIR: ...; saved it in FALLBACK instead");
// *problem is cleared otherwise. Returns the path written. Fails only when both writes
// fail, and then the error names both folders and both reasons.
Result<std::string> write_record_with_fallback(const Json& record, const std::string& dir,
                                               const std::string& fallback_dir,
                                               std::string* problem);

// JUnit XML: one test case per objective, one per steady-state probe, and one for the
// drill itself (an error when it was aborted, interrupted or a rollback failed). The
// objective and probe cases are skipped when the drill stopped before they could be
// judged. Valid against tests/data/junit.xsd for any record.
std::string junit_xml(const Json& record);
// Writes junit_xml(record) to `path` atomically, creating its parent folder if missing.
Status write_junit(const Json& record, const std::string& path);

}  // namespace faultline

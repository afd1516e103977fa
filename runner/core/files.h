#pragma once
// Filesystem helpers with the durability the journal and the records need.
#include <string>

#include "runner/core/result.h"

namespace faultline {

Result<std::string> read_file(const std::string& path);

// Writes to a temp file beside `path`, fsyncs it, renames it over `path` and fsyncs
// the directory: a reader sees the old content or the new, never a torn file.
Status write_file_atomically(const std::string& path, const std::string& content);

// mkdir -p with a readable error.
Status make_directories(const std::string& path);

}  // namespace faultline

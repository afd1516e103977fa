#include <fmt/format.h>

#include <algorithm>

#include "reports/json_fields.h"
#include "reports/reports.h"
#include "runner/os/files.h"

namespace faultline {
namespace {

// The id comes from the record, which may not be ours: it must stay one file name in
// `dir`, never a path that leads out of it.
std::string record_file_name(const Json& record) {
  std::string id = text_field(record, "id", "");
  std::replace(id.begin(), id.end(), '/', '_');
  std::replace(id.begin(), id.end(), '\0', '_');
  return (id.empty() ? "record" : id) + ".json";
}

// write_record without its context, so the fallback's message does not say it twice.
Result<std::string> write_record_file(const Json& record, const std::string& dir) {
  if (Status made = make_directories(dir); !made) return made.error();
  std::string path = dir + "/" + record_file_name(record);
  if (Status written = write_file_atomically(path, json_text(record, 2) + "\n"); !written) {
    return written.error();
  }
  return path;
}

}  // namespace

Result<std::string> write_record(const Json& record, const std::string& dir) {
  auto written = write_record_file(record, dir);
  if (!written) return written.error().with_context("drill record");
  return written;
}

Result<std::string> write_record_with_fallback(const Json& record, const std::string& dir,
                                               const std::string& fallback_dir,
                                               std::string* problem) {
  if (problem) problem->clear();
  auto first = write_record_file(record, dir);
  if (first) return first;
  auto second = write_record_file(record, fallback_dir);
  if (!second) {
    return Error{fmt::format("cannot write drill record to {}: {}; nor to {}: {}", dir,
                             first.error().message, fallback_dir, second.error().message)};
  }
  if (problem) {
    *problem = fmt::format("cannot write record to {}: {}; saved it in {} instead", dir,
                           first.error().message, fallback_dir);
  }
  return second;
}

}  // namespace faultline

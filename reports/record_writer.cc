#include "reports/reports.h"
#include "runner/core/files.h"

namespace faultline {

Result<std::string> write_record(const Json& record, const std::string& dir) {
  if (Status made = make_directories(dir); !made) return made.error();
  std::string path = dir + "/" + record.value("id", "record") + ".json";
  if (Status written = write_file_atomically(path, json_text(record, 2) + "\n"); !written) {
    return written.error().with_context("drill record");
  }
  return path;
}

}  // namespace faultline

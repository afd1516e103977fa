// Checking, before a drill, that its record and JUnit report can be written: a drill
// whose record is lost afterwards was run for nothing.
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "reports/reports.h"
#include "runner/os/files.h"

namespace faultline {
namespace {

// Creates and removes a uniquely named file in `dir`; O_EXCL means no existing file is
// ever opened. The error is the OS reason alone, for the caller to put in context.
Status create_and_remove_file_in(const std::string& dir) {
  std::string name = dir + "/.faultline-write-check-XXXXXX";
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) return Error{std::strerror(errno)};
  ::close(fd);
  // A file we could create but not remove does not stop the writers (they rename over
  // their target), so a failed unlink is not reported.
  ::unlink(name.c_str());
  return {};
}

}  // namespace

Status prepare_record_dir(const std::string& dir) {
  if (Status made = make_directories(dir); !made) {
    return made.error().with_context("records folder");
  }
  if (Status writable = create_and_remove_file_in(dir); !writable) {
    return Error{"records folder " + dir + " is not writable: " + writable.error().message};
  }
  return {};
}

Status check_junit_destination(const std::string& path) {
  std::filesystem::path target(path);
  std::error_code ec;
  if (path.empty()) return Error{"JUnit report path is empty"};
  if (!target.has_filename() || std::filesystem::is_directory(target, ec)) {
    return Error{"JUnit report path " + path + " is a folder, not a file"};
  }
  std::string parent = target.has_parent_path() ? target.parent_path().string() : ".";
  if (Status made = make_directories(parent); !made) {
    return made.error().with_context("JUnit report path " + path);
  }
  if (Status writable = create_and_remove_file_in(parent); !writable) {
    return Error{"JUnit report path " + path + ": folder " + parent +
                 " is not writable: " + writable.error().message};
  }
  return {};
}

}  // namespace faultline

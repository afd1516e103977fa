#pragma once
// Files with the bounds and durability the plans, journals and records need.
#include <sys/types.h>

#include <cstddef>
#include <string>

#include "runner/core/result.h"

namespace faultline {

// Reads a regular file of at most `max_bytes`. Anything else is refused with a clear
// error (ErrorCode::invalid) before a byte is read: a FIFO would hang, /dev/zero never
// ends, a directory is a mistake. At most max_bytes + 1 bytes are ever read. The path
// "-" reads standard input, bounded the same way. `what` names the file in errors
// ("plan", "pidfile").
Result<std::string> read_regular_file(const std::string& path, size_t max_bytes,
                                      const std::string& what = "file");

// read_regular_file with a generous bound (256 MiB), for files faultline wrote itself.
Result<std::string> read_file(const std::string& path);

// Writes to a temp file beside `path`, fsyncs it, renames it over `path` and fsyncs
// the directory: a reader sees the old content or the new, never a torn file.
Status write_file_atomically(const std::string& path, const std::string& content,
                             mode_t mode = 0644);

// Reads a file that is already open, from its start, with read_file's bound. `label`
// names it in errors ("journal /x/y").
Result<std::string> read_open_file(int fd, const std::string& label);

// mkdir -p with a readable error. Only the folders this call creates get `mode` (umask
// aside); a folder that already exists (a home, /tmp) keeps its own.
Status make_directories(const std::string& path, mode_t mode = 0755);

// An error for a failed system call, from errno: "<what> <path>: <strerror>", with
// ErrorCode::not_found for ENOENT.
Error os_error(const std::string& what, const std::string& path);

// The folder of the running executable (/proc/self/exe), or "" when it cannot be known.
std::string executable_dir();

// Writes all of `content` to `fd`, looping over short writes and EINTR.
Status write_all(int fd, const std::string& content, const std::string& path);

}  // namespace faultline

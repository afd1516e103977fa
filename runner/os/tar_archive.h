#pragma once
// tar.gz archives of small files, through libarchive: faultline's evidence bundles. Only
// regular files with relative paths are written or read; reading refuses anything else (a
// link, a device, an absolute path, "..") rather than trust it, and bounds what it reads.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "runner/core/result.h"

namespace faultline {

struct ArchiveFile {
  std::string path;  // relative, "/"-separated: "records/12-ID.json"
  std::string content;
};

// Writes `files` in order as a gzip-compressed POSIX tar at `path`, atomically (a temp
// file beside it, fsynced, renamed). Fails naming the path and libarchive's reason.
Status write_tar_gz(const std::string& path, const std::vector<ArchiveFile>& files);

struct ArchiveLimits {
  size_t max_file_bytes = 256u << 20;
  size_t max_total_bytes = size_t(2) << 30;
  size_t max_files = 1'000'000;
};

// The regular files of the tar(.gz) at `path`, in archive order. Fails (invalid) naming
// the member when the archive holds something other than a regular file with a safe
// relative path, the same path twice, or more than `limits` allow; and naming the reason
// when it is not a readable tar archive.
Result<std::vector<ArchiveFile>> read_tar_gz(const std::string& path,
                                             const ArchiveLimits& limits = {});

}  // namespace faultline

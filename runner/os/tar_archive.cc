#include "runner/os/tar_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>

#include <ctime>
#include <memory>
#include <set>

#include "runner/os/files.h"

namespace faultline {
namespace {

struct WriterDeleter {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct ReaderDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

std::string reason(archive* a) {
  const char* text = archive_error_string(a);
  return text ? text : "unknown libarchive error";
}

bool safe_relative(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.find('\0') != std::string::npos) return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

Status write_tar_gz(const std::string& path, const std::vector<ArchiveFile>& files) {
  // libarchive writes to memory; the file itself is written atomically by files.h.
  std::unique_ptr<archive, WriterDeleter> writer(archive_write_new());
  std::string out;
  out.reserve(1 << 16);
  auto fail = [&](const std::string& what) {
    return Error(fmt::format("cannot write {}: {}: {}", path, what, reason(writer.get())));
  };
  if (archive_write_add_filter_gzip(writer.get()) != ARCHIVE_OK ||
      archive_write_set_format_pax_restricted(writer.get()) != ARCHIVE_OK) {
    return fail("setting up tar.gz");
  }
  auto write_callback = [](archive*, void* data, const void* buffer, size_t size) -> la_ssize_t {
    static_cast<std::string*>(data)->append(static_cast<const char*>(buffer), size);
    return static_cast<la_ssize_t>(size);
  };
  // No padding of the last block beyond tar's own: the output is exactly the archive.
  archive_write_set_bytes_in_last_block(writer.get(), 1);
  if (archive_write_open(writer.get(), &out, nullptr, write_callback, nullptr) != ARCHIVE_OK) {
    return fail("opening");
  }
  time_t now = std::time(nullptr);
  for (const auto& file : files) {
    if (!safe_relative(file.path)) {
      return Error(ErrorCode::invalid,
                   fmt::format("cannot write {}: unsafe member path '{}'", path, file.path));
    }
    std::unique_ptr<archive_entry, EntryDeleter> entry(archive_entry_new());
    archive_entry_set_pathname(entry.get(), file.path.c_str());
    archive_entry_set_size(entry.get(), static_cast<la_int64_t>(file.content.size()));
    archive_entry_set_filetype(entry.get(), AE_IFREG);
    archive_entry_set_perm(entry.get(), 0644);
    archive_entry_set_mtime(entry.get(), now, 0);
    if (archive_write_header(writer.get(), entry.get()) != ARCHIVE_OK) return fail(file.path);
    if (!file.content.empty() &&
        archive_write_data(writer.get(), file.content.data(), file.content.size()) !=
            static_cast<la_ssize_t>(file.content.size())) {
      return fail(file.path);
    }
  }
  if (archive_write_close(writer.get()) != ARCHIVE_OK) return fail("closing");
  return write_file_atomically(path, out);
}

Result<std::vector<ArchiveFile>> read_tar_gz(const std::string& path, const ArchiveLimits& limits) {
  std::unique_ptr<archive, ReaderDeleter> reader(archive_read_new());
  archive_read_support_filter_gzip(reader.get());
  archive_read_support_filter_none(reader.get());
  archive_read_support_format_tar(reader.get());
  if (archive_read_open_filename(reader.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return Error(ErrorCode::invalid, fmt::format("cannot read {}: {}", path, reason(reader.get())));
  }
  std::vector<ArchiveFile> files;
  std::set<std::string> seen;
  size_t total = 0;
  archive_entry* entry = nullptr;
  while (true) {
    int status = archive_read_next_header(reader.get(), &entry);
    if (status == ARCHIVE_EOF) break;
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) {
      return Error(ErrorCode::invalid,
                   fmt::format("cannot read {}: {}", path, reason(reader.get())));
    }
    const char* name = archive_entry_pathname(entry);
    std::string member = name ? name : "";
    auto refuse = [&](const std::string& why) {
      return Error(ErrorCode::invalid, fmt::format("{}: member '{}' {}", path, member, why));
    };
    if (archive_entry_filetype(entry) != AE_IFREG) return refuse("is not a regular file");
    if (!safe_relative(member)) return refuse("has an unsafe path");
    if (!seen.insert(member).second) return refuse("appears twice");
    if (files.size() >= limits.max_files) return refuse("is one file too many");
    la_int64_t size = archive_entry_size(entry);
    if (size < 0 || static_cast<size_t>(size) > limits.max_file_bytes) {
      return refuse(fmt::format("is larger than {} bytes", limits.max_file_bytes));
    }
    total += static_cast<size_t>(size);
    if (total > limits.max_total_bytes) {
      return refuse(fmt::format("takes the archive past {} bytes", limits.max_total_bytes));
    }
    ArchiveFile file{member, std::string(static_cast<size_t>(size), '\0')};
    la_ssize_t read = file.content.empty() ? 0
                                           : archive_read_data(reader.get(), file.content.data(),
                                                               file.content.size());
    if (read != size) {
      return Error(ErrorCode::invalid, fmt::format("cannot read {}: member '{}': {}", path, member,
                                                   read < 0 ? reason(reader.get()) : "cut short"));
    }
    files.push_back(std::move(file));
  }
  return files;
}

}  // namespace faultline

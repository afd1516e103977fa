#include "runner/os/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace faultline {

Error os_error(const std::string& what, const std::string& path) {
  ErrorCode code = errno == ENOENT ? ErrorCode::not_found : ErrorCode::failed;
  return Error{code, what + " " + path + ": " + std::strerror(errno)};
}

namespace {

std::string file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Reads until EOF or until more than `max_bytes` arrived.
Result<std::string> read_bounded(int fd, size_t max_bytes, const std::string& label) {
  std::string out;
  char buffer[65536];
  while (out.size() <= max_bytes) {
    size_t want = std::min(sizeof buffer, max_bytes + 1 - out.size());
    ssize_t n = ::read(fd, buffer, want);
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("cannot read", label);
    }
    if (n == 0) return out;
    out.append(buffer, static_cast<size_t>(n));
  }
  return Error{ErrorCode::invalid,
               label + " is larger than the limit of " + std::to_string(max_bytes) + " bytes"};
}

}  // namespace

Result<std::string> read_regular_file(const std::string& path, size_t max_bytes,
                                      const std::string& what) {
  if (path == "-") {
    struct stat info {};
    if (::fstat(STDIN_FILENO, &info) == 0 && S_ISDIR(info.st_mode)) {
      return Error{ErrorCode::invalid, "standard input is a directory"};
    }
    return read_bounded(STDIN_FILENO, max_bytes, what + " on standard input");
  }
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return os_error("cannot open " + what, path);
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    Error error = os_error("cannot stat " + what, path);
    ::close(fd);
    return error;
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return Error{ErrorCode::invalid, what + " " + path + " is " + file_kind(info.st_mode) +
                                         "; expected a regular file" +
                                         (what == "plan" ? " (or - for standard input)" : "")};
  }
  auto text = read_bounded(fd, max_bytes, what + " " + path);
  ::close(fd);
  return text;
}

constexpr size_t kOwnFileLimit = size_t{256} << 20;

Result<std::string> read_file(const std::string& path) {
  return read_regular_file(path, kOwnFileLimit);
}

Result<std::string> read_open_file(int fd, const std::string& label) {
  // pread: the descriptor's offset stays untouched, so readers on several threads
  // (and an O_APPEND writer) do not disturb each other.
  std::string out;
  char buffer[65536];
  while (out.size() <= kOwnFileLimit) {
    ssize_t n = ::pread(fd, buffer, sizeof buffer, static_cast<off_t>(out.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("cannot read", label);
    }
    if (n == 0) return out;
    out.append(buffer, static_cast<size_t>(n));
  }
  return Error{ErrorCode::invalid,
               label + " is larger than the limit of " + std::to_string(kOwnFileLimit) + " bytes"};
}

Status write_all(int fd, const std::string& content, const std::string& path) {
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return os_error("cannot write", path);
    }
    written += static_cast<size_t>(n);
  }
  return {};
}

Status write_file_atomically(const std::string& path, const std::string& content, mode_t mode) {
  std::filesystem::path target(path);
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return os_error("cannot create", temp);
  Status status = write_all(fd, content, temp);
  if (status && ::fsync(fd) != 0) status = os_error("cannot fsync", temp);
  ::close(fd);
  if (status && ::rename(temp.c_str(), path.c_str()) != 0)
    status = os_error("cannot rename to", path);
  if (!status) {
    ::unlink(temp.c_str());
    return status;
  }
  std::string dir = target.parent_path().empty() ? "." : target.parent_path().string();
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return {};
}

Status make_directories(const std::string& path, mode_t mode) {
  if (path.empty()) return Error{ErrorCode::invalid, "cannot create a directory with no name"};
  // As mkdir -p -m: the parents it creates get the umask's default, the last one `mode`.
  std::filesystem::path whole = std::filesystem::path(path).lexically_normal();
  if (!whole.has_filename()) whole = whole.parent_path();
  std::filesystem::path built;
  for (const auto& part : whole) {
    built /= part;
    bool last = built == whole;
    if (::mkdir(built.c_str(), last ? mode : 0777) == 0) {
      if (last) ::chmod(built.c_str(), mode);  // mkdir's mode is masked by the umask
      continue;
    }
    if (errno != EEXIST) return os_error("cannot create directory", path);
    struct stat info {};
    if (::stat(built.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
      errno = ENOTDIR;
      return os_error("cannot create directory", path);
    }
  }
  return {};
}

std::string executable_dir() {
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : exe.parent_path().string();
}

}  // namespace faultline

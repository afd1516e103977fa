#include "runner/core/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace faultline {
namespace {

Error os_error(const std::string& what, const std::string& path) {
  return Error{what + " " + path + ": " + std::strerror(errno)};
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

}  // namespace

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return os_error("cannot open", path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Status write_file_atomically(const std::string& path, const std::string& content) {
  std::filesystem::path target(path);
  std::string temp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
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

Status make_directories(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Error{"cannot create directory " + path + ": " + ec.message()};
  return {};
}

}  // namespace faultline

#include "runner/os/target_locks.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "runner/core/json_reader.h"
#include "runner/core/sha256.h"
#include "runner/os/files.h"
#include "runner/os/process.h"

namespace faultline {
namespace {

std::string read_holder_text(int fd) {
  char buffer[4096];
  ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : "";
}

// "drill D (plan P, runner pid N, since T)", from a lock file's content.
std::string describe_holder(const std::string& text) {
  Json holder = Json::parse(text, nullptr, false);
  JsonReader reader(holder, "lock");
  if (!reader.is_object()) return "another drill";
  auto field = [&](const char* key) {
    auto value = reader.text_or(key, "?");
    return value.ok() ? *value : std::string("?");
  };
  auto pid = reader.integer_or("runner_pid", 0);
  return "drill " + field("drill") + " (plan " + field("plan") + ", runner pid " +
         std::to_string(pid.ok() ? *pid : 0) + ", since " + field("started_at") + ")";
}

bool holder_is_alive(const std::string& text) {
  Json holder = Json::parse(text, nullptr, false);
  JsonReader reader(holder, "lock");
  auto pid = reader.integer_or("runner_pid", 0);
  auto ticks = reader.integer_or("runner_start_ticks", 0);
  if (!pid.ok() || !ticks.ok() || *pid <= 0) return false;
  return is_same_process_alive(ProcessId{static_cast<pid_t>(*pid), static_cast<uint64_t>(*ticks)});
}

// Opens the lock folder, which must be this user's alone: in a folder others can write
// (one they made under /tmp first, say), a planted link or file would turn taking a lock
// into truncating a file of ours, or keep every drill out. Lock files are then opened
// relative to this descriptor, so the folder cannot be swapped for another meanwhile.
Result<int> open_private_folder(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    return Error{errno == ENOENT ? ErrorCode::not_found : ErrorCode::failed,
                 "cannot open lock folder " + dir + ": " + std::strerror(errno)};
  }
  struct stat info {};
  if (::fstat(fd, &info) != 0 || info.st_uid != ::geteuid() || (info.st_mode & 022) != 0) {
    ::close(fd);
    return Error{ErrorCode::refused,
                 "lock folder " + dir + " is not a folder of uid " + std::to_string(::geteuid()) +
                     " that only it can write; set FAULTLINE_LOCK_DIR to a private folder"};
  }
  return fd;
}

}  // namespace

std::string default_lock_dir() {
  if (const char* dir = std::getenv("FAULTLINE_LOCK_DIR"); dir && *dir) return dir;
  if (::geteuid() == 0) return "/run/faultline/locks";
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime && *runtime) {
    return std::string(runtime) + "/faultline/locks";
  }
  return "/tmp/faultline-" + std::to_string(::geteuid()) + "/locks";
}

TargetLocks::TargetLocks(std::string dir, Json holder)
    : dir_(std::move(dir)), holder_(std::move(holder)) {
  auto self = identify_process(::getpid());
  holder_["runner_pid"] = ::getpid();
  holder_["runner_start_ticks"] = self.ok() ? self->start_ticks : 0;
}

TargetLocks::~TargetLocks() { release_all(); }

std::string TargetLocks::file_name_of(const std::string& key) {
  std::string readable;
  for (char c : key.substr(0, 60))
    readable += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return readable + "-" + sha256_hex(key).substr(0, 16) + ".lock";
}

namespace {

// Opens (never through a symbolic link: a lock file is truncated and rewritten) and
// locks the lock file `name` in `folder`. A holder removes its file when it releases it,
// so a lock taken on a file that was removed meanwhile is worthless: check that the
// locked file is still the one named `name`, and try again if not.
Result<int> lock_file(int folder, const std::string& name, const std::string& path,
                      std::string& holder_text) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    int fd = ::openat(folder, name.c_str(),
                      O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
    if (fd < 0) return Error{"cannot open lock " + path + ": " + std::strerror(errno)};
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      holder_text = read_holder_text(fd);
      ::close(fd);
      return Error{ErrorCode::in_use, "locked"};
    }
    struct stat locked {}, current {};
    if (::fstat(fd, &locked) == 0 &&
        ::fstatat(folder, name.c_str(), &current, AT_SYMLINK_NOFOLLOW) == 0 &&
        locked.st_ino == current.st_ino && locked.st_dev == current.st_dev) {
      return fd;
    }
    ::close(fd);
  }
  return Error{"cannot lock " + path + ": it keeps being replaced"};
}

}  // namespace

Status TargetLocks::acquire(const std::string& key, const std::string& what) {
  if (held_.count(key)) return {};
  if (Status made = make_directories(dir_, 0700); !made) return made;
  auto folder = open_private_folder(dir_);
  if (!folder.ok()) return folder.error();
  std::string name = file_name_of(key);
  std::string path = dir_ + "/" + name;
  std::string holder_text;
  auto locked = lock_file(*folder, name, path, holder_text);
  ::close(*folder);
  if (!locked.ok()) {
    if (!locked.error().is(ErrorCode::in_use)) return locked.error();
    return Error{ErrorCode::in_use, what + " is locked by " + describe_holder(holder_text) +
                                        "; two drills on one target corrupt each other"};
  }
  int fd = *locked;
  std::string previous = read_holder_text(fd);
  if (!previous.empty() && !holder_is_alive(previous)) {
    taken_over_.push_back("took over the lock on " + what + " left by " +
                          describe_holder(previous) + ", whose runner is gone");
  }
  Json holder = holder_;
  holder["key"] = key;
  holder["what"] = what;
  std::string text = json_text(holder);
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) < 0) {
    ::close(fd);
    return Error{"cannot write lock " + path + ": " + std::strerror(errno)};
  }
  held_[key] = fd;
  return {};
}

Status TargetLocks::check_free(const std::string& key, const std::string& what) const {
  if (held_.count(key)) return {};
  auto folder = open_private_folder(dir_);
  if (!folder.ok()) {
    // No folder yet: no lock was ever taken. Any other problem, the drill would meet too.
    return folder.error().is(ErrorCode::not_found) ? Status() : Status(folder.error());
  }
  int fd =
      ::openat(*folder, file_name_of(key).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  ::close(*folder);
  if (fd < 0) return {};  // never taken
  Status free;
  // A shared lock is refused exactly when some drill holds the exclusive one.
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    free =
        Error{ErrorCode::in_use, what + " is locked by " + describe_holder(read_holder_text(fd))};
  }
  ::close(fd);
  return free;
}

std::vector<std::string> TargetLocks::held_keys() const {
  std::vector<std::string> keys;
  for (const auto& [key, fd] : held_) keys.push_back(key);
  return keys;
}

void TargetLocks::release_all(KeepFiles keep) {
  for (auto& [key, fd] : held_) {
    if (keep == KeepFiles::yes) {
      ::close(fd);
      continue;
    }
    // Removed while still locked, so nobody can lock this file any more; lock_file()
    // notices a file it locked after its removal. A runner that dies leaves its file,
    // which is how the next holder knows it took a dead runner's lock over.
    ::unlink((dir_ + "/" + file_name_of(key)).c_str());
    ::close(fd);
  }
  held_.clear();
}

}  // namespace faultline

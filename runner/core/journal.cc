#include "runner/core/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <sstream>

#include "runner/core/files.h"
#include "runner/core/time.h"

namespace faultline {
namespace {

constexpr const char* kInUse = "is held by a running drill";

Json action_to_json(const JournalAction& action) {
  return Json{{"op", "intent"},
              {"key", action.key},
              {"type", action.type},
              {"target", action.target},
              {"what", action.what},
              {"rollback", action.rollback},
              {"at", utc_iso8601(WallClock::now())}};
}

}  // namespace

Journal::Journal(Journal&& other) noexcept : path_(std::move(other.path_)), fd_(other.fd_) {
  other.fd_ = -1;
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

Result<Journal> Journal::create(const std::string& dir, const std::string& drill_id,
                                const std::string& plan_name) {
  if (Status made = make_directories(dir); !made) return made.error();
  std::string path = dir + "/" + drill_id + ".jsonl";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return Error{"cannot create journal " + path + ": " + std::strerror(errno)};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Error{"cannot lock journal " + path + ": " + std::strerror(errno)};
  }
  Journal journal(path, fd);
  Status opened = journal.append(Json{{"op", "open"},
                                      {"drill", drill_id},
                                      {"plan", plan_name},
                                      {"runner_pid", ::getpid()},
                                      {"at", utc_iso8601(WallClock::now())}});
  if (!opened) return opened.error();
  // The new file's directory entry must survive a crash too.
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) ::fsync(dir_fd), ::close(dir_fd);
  return journal;
}

Result<Journal> Journal::claim(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return Error{"cannot open journal " + path + ": " + std::strerror(errno)};
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Error{"journal " + path + " " + kInUse};
  }
  return Journal(path, fd);
}

bool Journal::claim_error_in_use(const Error& error) {
  return error.message.find(kInUse) != std::string::npos;
}

Status Journal::append(const Json& line) {
  std::string text = json_text(line) + "\n";
  if (::write(fd_, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return Error{"cannot write journal " + path_ + ": " + std::strerror(errno)};
  }
  if (::fdatasync(fd_) != 0)
    return Error{"cannot sync journal " + path_ + ": " + std::strerror(errno)};
  return {};
}

Status Journal::record_intent(const JournalAction& action) {
  return append(action_to_json(action));
}

Status Journal::record_done(const std::string& key, bool ok, const std::string& detail) {
  return append(Json{{"op", "done"},
                     {"key", key},
                     {"ok", ok},
                     {"detail", detail},
                     {"at", utc_iso8601(WallClock::now())}});
}

Result<std::vector<JournalAction>> Journal::pending() const {
  auto text = read_file(path_);
  if (!text.ok()) return text.error();
  std::vector<JournalAction> intents;
  std::map<std::string, bool> undone;
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    // A runner killed mid-write leaves at most a torn last line; skip what won't parse.
    Json entry = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!entry.is_object()) continue;
    std::string op = entry.value("op", "");
    if (op == "intent") {
      intents.push_back(JournalAction{entry.value("key", ""), entry.value("type", ""),
                                      entry.value("target", ""), entry.value("what", ""),
                                      entry.value("rollback", Json::object())});
      undone[intents.back().key] = false;
    } else if (op == "done" && entry.value("ok", false)) {
      undone[entry.value("key", "")] = true;
    }
  }
  std::vector<JournalAction> open;
  for (auto& action : intents) {
    if (!undone[action.key]) open.push_back(action);
  }
  return open;
}

std::string Journal::drill_id() const { return std::filesystem::path(path_).stem().string(); }

Status Journal::remove() {
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
    return Error{"cannot remove journal " + path_ + ": " + std::strerror(errno)};
  }
  return {};
}

std::vector<std::string> list_journals(const std::string& dir) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".jsonl") paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace faultline

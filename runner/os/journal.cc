#include "runner/os/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "runner/core/json_reader.h"
#include "runner/core/time.h"
#include "runner/os/files.h"

namespace faultline {
namespace {

std::string now_utc() { return utc_iso8601(WallClock::now()); }

Result<JournalAction> read_intent(const JsonReader& line) {
  auto key = line.text("key");
  if (!key.ok()) return key.error();
  auto type = line.text("type");
  if (!type.ok()) return type.error();
  auto target = line.text_or("target", "local");
  if (!target.ok()) return target.error();
  auto what = line.text_or("what", "");
  if (!what.ok()) return what.error();
  auto at = line.text_or("at", "");
  if (!at.ok()) return at.error();
  return JournalAction{*key, *type, *target, *what, line.raw("rollback"), *at};
}

JournalOutcome outcome_from(const JsonReader& line) {
  std::string name = line.text_or("outcome", "").ok() ? *line.text_or("outcome", "") : "";
  if (name == "undone") return JournalOutcome::undone;
  if (name == "already_undone") return JournalOutcome::already_undone;
  if (name.empty() && line.boolean_or("ok", false).ok() && *line.boolean_or("ok", false)) {
    return JournalOutcome::undone;  // written before outcomes were journaled
  }
  return JournalOutcome::failed;
}

void read_line(const JsonReader& line, JournalContents& contents) {
  auto op = line.text("op");
  if (!op.ok()) {
    contents.problems.push_back(op.error().message);
    return;
  }
  if (*op == "open") {
    contents.drill_id = line.text_or("drill", "").ok() ? *line.text_or("drill", "") : "";
    auto pid = line.integer_or("runner_pid", 0);
    contents.runner_pid = pid.ok() ? static_cast<int>(*pid) : 0;
    if (line.raw("info").is_object()) contents.info = line.raw("info");
  } else if (*op == "secrets") {
    auto values = line.strings_or("values");
    if (values.ok())
      contents.secrets = *values;
    else
      contents.problems.push_back(values.error().message);
  } else if (*op == "intent") {
    auto action = read_intent(line);
    if (action.ok())
      contents.intents.push_back(*action);
    else
      contents.problems.push_back(action.error().message);
  } else if (*op == "done") {
    auto key = line.text("key");
    if (!key.ok()) {
      contents.problems.push_back(key.error().message);
      return;
    }
    JournalDone done{outcome_from(line), "", ""};
    if (auto detail = line.text_or("detail", ""); detail.ok()) done.detail = *detail;
    if (auto at = line.text_or("at", ""); at.ok()) done.at = *at;
    contents.done[*key] = done;
  } else if (*op == "finished") {
    auto verdict = line.text("verdict");
    auto exit_code = line.integer("exit_code");
    if (!verdict.ok() || !exit_code.ok()) {
      contents.problems.push_back((verdict.ok() ? exit_code.error() : verdict.error()).message);
      return;
    }
    auto at = line.text_or("at", "");
    contents.finished =
        JournalFinished{*verdict, static_cast<int>(*exit_code), at.ok() ? *at : std::string()};
  } else {
    contents.problems.push_back(line.where() + ": unknown op '" + *op + "'");
  }
}

}  // namespace

JournalContents parse_journal(const std::string& path, const std::string& text) {
  JournalContents contents;
  std::istringstream lines(text);
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    if (line.empty()) continue;
    std::string where = "journal " + path + " line " + std::to_string(number);
    Json entry = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!entry.is_object()) {
      contents.problems.push_back(where + ": not a JSON object (a torn or edited line?)");
      continue;
    }
    read_line(JsonReader(entry, where), contents);
  }
  for (const auto& action : contents.intents) {
    auto done = contents.done.find(action.key);
    if (done == contents.done.end() || done->second.outcome == JournalOutcome::failed) {
      contents.pending.push_back(action);
    }
  }
  return contents;
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<Journal>> Journal::create(const std::string& dir,
                                                 const std::string& drill_id, const Json& info,
                                                 const std::vector<std::string>& secrets) {
  if (Status made = make_directories(dir, 0700); !made) return made.error();
  std::string path = dir + "/" + drill_id + ".jsonl";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) return os_error("cannot create journal", path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    Error error = os_error("cannot lock journal", path);
    ::close(fd);
    return error;
  }
  std::unique_ptr<Journal> journal(new Journal(path, fd));
  Status opened = journal->append(Json{{"op", "open"},
                                       {"drill", drill_id},
                                       {"runner_pid", ::getpid()},
                                       {"at", now_utc()},
                                       {"info", info}});
  if (opened && !secrets.empty()) {
    opened = journal->append(Json{{"op", "secrets"}, {"values", secrets}});
  }
  if (!opened) return opened.error();
  // The new file's directory entry must survive a crash too.
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) ::fsync(dir_fd), ::close(dir_fd);
  return journal;
}

Result<std::unique_ptr<Journal>> Journal::claim(const std::string& path) {
  // Never through a symbolic link, and only a regular file of this user: recover runs
  // a journal's rollbacks as its own user, and repairs (truncates) its last line.
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0 && errno == ELOOP) {
    return Error{ErrorCode::refused, "journal " + path +
                                         " is a symbolic link; recover only trusts journal "
                                         "files faultline wrote there"};
  }
  if (fd < 0) return os_error("cannot open journal", path);
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode) || info.st_uid != ::geteuid()) {
    ::close(fd);
    return Error{ErrorCode::refused,
                 "journal " + path + " is not a regular file of uid " +
                     std::to_string(::geteuid()) +
                     " (the user running recover); recover only trusts journal files it could "
                     "have written, since it runs their rollbacks"};
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return Error{ErrorCode::in_use, "journal " + path + " is held by a running drill"};
  }
  std::unique_ptr<Journal> journal(new Journal(path, fd));
  // Through the descriptor just checked: the path may have been swapped since.
  auto text = read_open_file(fd, "journal " + path);
  if (!text.ok()) return text.error();
  if (!text->empty() && text->back() != '\n') {
    size_t whole = text->rfind('\n');
    whole = whole == std::string::npos ? 0 : whole + 1;
    if (::ftruncate(fd, static_cast<off_t>(whole)) != 0) {
      return os_error("cannot repair the torn last line of journal", path);
    }
    journal->repaired_bytes_ = text->size() - whole;
    journal->repaired_line_ =
        static_cast<size_t>(std::count(text->begin(), text->begin() + whole, '\n')) + 1;
  }
  return journal;
}

Status Journal::append(const Json& line) {
  std::string text = json_text(line) + "\n";
  // One writer at a time: interleaved partial writes would tear both lines.
  std::lock_guard lock(append_mutex_);
  if (Status written = write_all(fd_, text, "journal " + path_); !written) return written;
  if (::fdatasync(fd_) != 0) return os_error("cannot sync journal", path_);
  return {};
}

Status Journal::record_intent(const JournalAction& action) {
  return append(Json{{"op", "intent"},
                     {"key", action.key},
                     {"type", action.type},
                     {"target", action.target},
                     {"what", action.what},
                     {"rollback", action.rollback},
                     {"at", action.at.empty() ? now_utc() : action.at}});
}

Status Journal::record_done(const std::string& key, JournalOutcome outcome,
                            const std::string& detail) {
  return append(Json{{"op", "done"},
                     {"key", key},
                     {"outcome", outcome_name(outcome)},
                     {"ok", outcome != JournalOutcome::failed},
                     {"detail", detail},
                     {"at", now_utc()}});
}

Status Journal::record_finished(const std::string& verdict, int exit_code) {
  return append(
      Json{{"op", "finished"}, {"verdict", verdict}, {"exit_code", exit_code}, {"at", now_utc()}});
}

Result<JournalContents> Journal::read() const {
  auto text = read_open_file(fd_, "journal " + path_);
  if (!text.ok()) return text.error();
  return parse_journal(path_, *text);
}

std::string Journal::drill_id() const { return std::filesystem::path(path_).stem().string(); }

Status Journal::remove() {
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) {
    return os_error("cannot remove journal", path_);
  }
  return {};
}

std::vector<std::string> list_journals(const std::string& dir) {
  std::vector<std::string> paths;
  std::error_code ec;
  // Incremented with an error_code: the throwing operator++ would end recover.
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".jsonl") paths.push_back(it->path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace faultline

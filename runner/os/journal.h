#pragma once
// The rollback journal file: one append-only JSON-lines file per running drill under
// <home>/journal (format: runner/core/journal.h). Every line is written whole and
// fdatasynced before the caller goes on to act. The running drill holds an exclusive
// flock on its file, which the kernel drops when the runner dies, so `faultline
// recover` can tell a live drill from one that was killed.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runner/core/journal.h"
#include "runner/core/result.h"

namespace faultline {

struct JournalDone {
  JournalOutcome outcome = JournalOutcome::failed;
  std::string detail;
  std::string at;
};

// The runner ended on its own (and wrote its drill record) but kept the journal, because
// something could not be undone.
struct JournalFinished {
  std::string verdict;
  int exit_code = 0;
  std::string at;
};

// What a journal file says, read without trusting it: a line that cannot be read is
// reported in `problems` (with its number) and the rest is still used.
struct JournalContents {
  std::string drill_id;
  int runner_pid = 0;
  Json info = Json::object();  // the open line's "info"
  std::vector<std::string> secrets;
  std::vector<JournalAction> intents;       // every intent, in the order written
  std::map<std::string, JournalDone> done;  // the last done line of each key
  std::vector<JournalAction> pending;       // intents not yet successfully undone
  std::optional<JournalFinished> finished;  // set when the runner finished on its own
  std::vector<std::string> problems;
};

class Journal {
 public:
  // Creates <dir>/<drill_id>.jsonl (mode 0600, folder 0700), locks it, and writes the
  // open line with `info` and the secret values recover will need to redact.
  static Result<std::unique_ptr<Journal>> create(const std::string& dir,
                                                 const std::string& drill_id, const Json& info,
                                                 const std::vector<std::string>& secrets);
  // Locks a journal left behind by a dead runner; fails with ErrorCode::in_use when a
  // live runner still holds it. A torn last line (the runner died mid-write) is cut
  // off, so that what is appended next starts on a line of its own.
  static Result<std::unique_ptr<Journal>> claim(const std::string& path);

  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // Thread-safe: the engine and service threads append concurrently.
  Status record_intent(const JournalAction& action);
  Status record_done(const std::string& key, JournalOutcome outcome,
                     const std::string& detail = "");
  // The runner is about to end on its own, leaving this journal to recover: the drill
  // record is its own, and recover must not replace it with an "interrupted" one.
  Status record_finished(const std::string& verdict, int exit_code);

  Result<JournalContents> read() const;
  const std::string& path() const { return path_; }
  std::string drill_id() const;
  // Bytes of a torn last line that claim() cut off (0 when the file was whole), and
  // that line's number.
  size_t repaired_bytes() const { return repaired_bytes_; }
  size_t repaired_line() const { return repaired_line_; }

  // Deletes the file: nothing is left to undo.
  Status remove();

 private:
  Journal(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  Status append(const Json& line);

  std::string path_;
  int fd_ = -1;
  size_t repaired_bytes_ = 0;
  size_t repaired_line_ = 0;
  std::mutex append_mutex_;
};

// Reads a journal's text (as Journal::read does), for tests and tools.
JournalContents parse_journal(const std::string& path, const std::string& text);

// Paths of every journal under `dir` (none when the folder does not exist).
std::vector<std::string> list_journals(const std::string& dir);

}  // namespace faultline

#pragma once
// The rollback journal: one append-only JSON-lines file per running drill under
// <home>/journal. Before a fault acts, what its rollback needs is appended and
// fsynced; after the rollback, a "done" line is appended. The running drill holds an
// exclusive flock on its file, which the kernel drops when the runner dies, so
// `faultline recover` can tell a live drill from one that was killed.
#include <string>
#include <vector>

#include "runner/core/json.h"
#include "runner/core/result.h"

namespace faultline {

// Something that must be undone: a fault (type = fault type name) or a service the
// runner started (type = "service").
struct JournalAction {
  std::string key;  // unique within the drill, e.g. "fault/crash"
  std::string type;
  std::string target;  // "local" or a host
  std::string what;    // human description, for recover's report
  Json rollback;       // everything the type's rollback needs
};

class Journal {
 public:
  Journal(Journal&& other) noexcept;
  Journal& operator=(Journal&& other) = delete;
  ~Journal();

  // Creates <dir>/<drill_id>.jsonl and locks it.
  static Result<Journal> create(const std::string& dir, const std::string& drill_id,
                                const std::string& plan_name);
  // Locks an existing journal left behind by a dead runner; fails with in_use=true
  // (see claim_error_in_use) when a live runner still holds it.
  static Result<Journal> claim(const std::string& path);
  static bool claim_error_in_use(const Error& error);

  Status record_intent(const JournalAction& action);
  Status record_done(const std::string& key, bool ok, const std::string& detail = "");

  // Actions with an intent and no successful done, in the order they were written.
  Result<std::vector<JournalAction>> pending() const;
  const std::string& path() const { return path_; }
  std::string drill_id() const;

  // Deletes the file: nothing is left to undo.
  Status remove();

 private:
  Journal(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  Status append(const Json& line);

  std::string path_;
  int fd_ = -1;
};

// Paths of every journal under `dir` (none when the folder does not exist).
std::vector<std::string> list_journals(const std::string& dir);

}  // namespace faultline

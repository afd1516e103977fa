#pragma once
// Locks that keep two drills off one target. Two drills aimed at the same process
// corrupt each other (one's SIGCONT ends the other's freeze), so a drill takes a lock
// per target in preflight and holds it until it ends. The locks live in one folder per
// machine, not under --home, so drills with different homes still see each other. A
// lock is an flock on a small file that also names its holder; the kernel drops it
// when the holder dies, so a lock left by a killed runner is simply taken over.
#include <map>
#include <string>
#include <vector>

#include "runner/core/json.h"
#include "runner/core/result.h"

namespace faultline {

// $FAULTLINE_LOCK_DIR, else /run/faultline/locks as root, else
// $XDG_RUNTIME_DIR/faultline/locks, else /tmp/faultline-<uid>/locks.
std::string default_lock_dir();

class TargetLocks {
 public:
  // `holder` says who takes the locks: {"drill", "runner_pid", "plan", "started_at"}.
  TargetLocks(std::string dir, Json holder);
  ~TargetLocks();
  TargetLocks(const TargetLocks&) = delete;
  TargetLocks& operator=(const TargetLocks&) = delete;

  // Takes the lock named `key` (e.g. "process/123-456", "tcp-port/8080") for `what`
  // ("service web", "pidfile /run/app.pid"). Fails with ErrorCode::in_use naming the
  // drill that holds it. Taking a key this drill already holds is a no-op.
  Status acquire(const std::string& key, const std::string& what);
  // Whether `key` could be taken now, without taking it (for --dry-run).
  Status check_free(const std::string& key, const std::string& what) const;
  // Locks taken over from runners that died holding them, one line each.
  const std::vector<std::string>& taken_over() const { return taken_over_; }
  std::vector<std::string> held_keys() const;
  // Releases every lock. With KeepFiles::yes (the drill may have left its targets
  // faulted), the files stay, so the next drill on those targets notes that it took over
  // from a drill that did not finish cleanly.
  enum class KeepFiles { no, yes };
  void release_all(KeepFiles keep = KeepFiles::no);

 private:
  static std::string file_name_of(const std::string& key);

  std::string dir_;
  Json holder_;
  std::map<std::string, int> held_;  // key -> locked descriptor
  std::vector<std::string> taken_over_;
};

}  // namespace faultline

#pragma once
// Naming processes robustly. A pid alone can be reused after the process dies, so
// everything that acts on a process later (rollback, recover) keeps the pid together
// with its start time and refuses to act when they differ.
#include <sys/types.h>

#include <cstdint>
#include <string>

#include "runner/core/json_reader.h"

namespace faultline {

struct ProcessId {
  pid_t pid = 0;
  uint64_t start_ticks = 0;  // field 22 of /proc/<pid>/stat
  bool operator==(const ProcessId&) const = default;
};

// What the safety checks and the dry run need to know about a process.
struct ProcessInfo {
  ProcessId id;
  pid_t parent = 0;
  pid_t group = 0;  // process group id
  uid_t uid = 0;
  std::string user;          // name of uid, or the number when it has none
  std::string name;          // the kernel's name for it (comm)
  std::string command_line;  // argv joined by spaces, shortened
  bool kernel_thread = false;
  char state = '?';  // R, S, T, Z, ...

  // "pid 123 (python3, user www, python3 -m http.server 8080)".
  std::string describe() const;
};

// {"pid": N, "start_ticks": T}: how journals and records name a process.
Json process_id_json(const ProcessId& id);
// Reads one back from a journal without trusting it: a pid that is not a plausible
// target (0, 1, negative, out of range) or a missing start time is an error, never a
// guess, since a wrong pid would be signalled.
Result<ProcessId> read_process_id(const JsonReader& entry);

}  // namespace faultline

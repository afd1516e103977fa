#include "runner/core/process_id.h"

namespace faultline {

std::string ProcessInfo::describe() const {
  std::string out = "pid " + std::to_string(id.pid) + " (" + name;
  if (!user.empty()) out += ", user " + user;
  if (!command_line.empty() && command_line != name) out += ", " + command_line;
  return out + ")";
}

Json process_id_json(const ProcessId& id) {
  return Json{{"pid", id.pid}, {"start_ticks", id.start_ticks}};
}

Result<ProcessId> read_process_id(const JsonReader& entry) {
  auto pid = entry.integer("pid");
  if (!pid.ok()) return pid.error();
  auto ticks = entry.unsigned_integer("start_ticks");
  if (!ticks.ok()) return ticks.error();
  if (*pid <= 1 || *pid > 0x7fffffff) {
    return Error{ErrorCode::invalid, entry.where() + ": pid " + std::to_string(*pid) +
                                         " is not a process faultline may signal"};
  }
  return ProcessId{static_cast<pid_t>(*pid), *ticks};
}

}  // namespace faultline

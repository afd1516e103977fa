#include "runner/core/process_id.h"

namespace faultline {

std::string ProcessInfo::describe() const {
  std::string out = "pid " + std::to_string(id.pid) + " (" + name;
  if (!user.empty()) out += ", user " + user;
  if (!command_line.empty() && command_line != name) out += ", " + command_line;
  return out + ")";
}

}  // namespace faultline

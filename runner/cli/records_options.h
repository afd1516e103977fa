#pragma once
// The options of `faultline records ...` (and, later, report and audit), apart from
// CliOptions so that the records commands can grow without touching every command.
#include <string>
#include <vector>

namespace faultline {

struct RecordsOptions {
  std::string action;  // list, show, review, close, actions, verify, export
  std::string id;      // a drill id (show, review) or an action id (close)
  std::string plan, since, until, verdict;
  std::vector<std::string> lessons;
  std::string corrective_action, owner, due, note;
  bool open_only = false, overdue_only = false;
  std::string head;    // verify: a head hash noted earlier
  std::string bundle;  // verify --bundle FILE
  std::string output;  // export -o FILE, report -o FILE
  // faultline report
  std::string format = "html";  // html, md, json
  bool trend = false;
};

// faultline audit (runner/cli/audit_command.cc).
struct AuditOptions {
  std::string since, until;
  std::string plans_dir = ".";
  std::string format = "md";  // md, json, html
  std::string output;         // -o FILE ("" = stdout)
};

}  // namespace faultline

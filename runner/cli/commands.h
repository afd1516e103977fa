#pragma once
// The CLI's commands. Each returns the process exit code (see README "Exit codes").
#include <map>
#include <string>
#include <vector>

#include "runner/cli/records_options.h"

namespace faultline {

struct CliOptions {
  std::string home;
  std::vector<std::string> plugin_dirs;
  std::vector<std::string> plans;
  std::vector<std::string> vars;  // NAME=VALUE
  std::string records_dir;
  std::string junit_path;
  std::string log_format = "text";
  std::string operator_name;
  bool dry_run = false;
  bool quiet = false;
  bool json = false;
  std::string store;     // --store: where records go (records_store.h)
  std::string key_file;  // --key-file: the ledger key
  RecordsOptions records;
  AuditOptions audit;
  // faultline proxy
  std::string proxy_host = "127.0.0.1";
  int proxy_port = 8474;
  std::string proxy_config;
};

// Who runs a drill or writes a review: `flag`, else $SUDO_USER/$USER/$LOGNAME, else the
// effective user's name.
std::string operator_name(const std::string& flag);

int command_validate(const CliOptions& options);
int command_run(const CliOptions& options);
int command_recover(const CliOptions& options);
int command_types(const CliOptions& options);
int command_schema(const CliOptions& options);
int command_version(const CliOptions& options);
// runner/cli/records_commands.cc
int command_records(const CliOptions& options);
// runner/cli/report_command.cc
int command_report(const CliOptions& options);
// runner/cli/audit_command.cc
int command_audit(const CliOptions& options);
// Serves the Toxiproxy-compatible API until SIGINT/SIGTERM (runner/cli/proxy_command.cc).
int command_proxy(const CliOptions& options);

}  // namespace faultline

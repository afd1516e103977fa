#pragma once
// The command line of `faultline records ...`: its subcommands and their options.
namespace CLI {
class App;
}

namespace faultline {

struct CliOptions;

// Adds list, show, review, close, actions and verify (each setting options.records.action)
// to the `records` command.
void add_records_subcommands(CLI::App& records, CliOptions& options);

// The options of `faultline report` (runner/cli/report_command.cc).
void add_report_options(CLI::App& report, CliOptions& options);

}  // namespace faultline

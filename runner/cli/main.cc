// faultline's command line: a table of subcommands over the runner.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "runner/cli/commands.h"
#include "runner/core/suggest.h"

namespace faultline {
namespace {

struct CommandEntry {
  const char* name;
  const char* description;
  void (*add_options)(CLI::App&, CliOptions&);
  int (*run)(const CliOptions&);
};

void no_options(CLI::App&, CliOptions&) {}

void validate_options(CLI::App& command, CliOptions& options) {
  command.add_option("plans", options.plans, "drill plan files")->required();
  command.add_option("--var", options.vars, "set a plan variable: NAME=VALUE (repeatable)");
}

void run_options(CLI::App& command, CliOptions& options) {
  command.add_option("plan", options.plans, "drill plan file")->required()->expected(1);
  command.add_option("--var", options.vars, "set a plan variable: NAME=VALUE (repeatable)");
  command.add_option("--records", options.records_dir,
                     "where to write the drill record (default <home>/records)");
  command.add_option("--junit", options.junit_path, "also write JUnit XML to this file");
  command.add_flag("--dry-run", options.dry_run, "print the timeline and inject nothing");
  command.add_flag("--quiet,-q", options.quiet, "no live view; only the summary");
  command.add_option("--log-format", options.log_format, "live view: text (default) or json")
      ->check(CLI::IsMember({"text", "json"}));
  command.add_option("--operator", options.operator_name,
                     "who runs the drill (default: $SUDO_USER/$USER)");
}

void types_options(CLI::App& command, CliOptions& options) {
  command.add_flag("--json", options.json, "machine-readable schemas");
}

const CommandEntry kCommands[] = {
    {"validate", "check plans; every error as FILE:LINE:COL (exit 2 if any)", validate_options,
     command_validate},
    {"run", "run a drill plan", run_options, command_run},
    {"recover", "roll back what a killed runner left behind, from the journal", no_options,
     command_recover},
    {"types", "list fault and probe types with their parameters", types_options, command_types},
    {"version", "print the version", no_options, command_version},
};

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const auto& command : kCommands) names.push_back(command.name);
  return names;
}

// The option names of `app` and its selected subcommand, for "did you mean".
std::vector<std::string> option_names(const CLI::App& app) {
  std::vector<std::string> names;
  const CLI::App* selected = app.get_subcommands().empty() ? nullptr : app.get_subcommands()[0];
  for (const CLI::App* scope : {&app, selected}) {
    if (!scope) continue;
    for (const CLI::Option* option : scope->get_options()) {
      for (const auto& name : option->get_lnames()) names.push_back("--" + name);
    }
  }
  return names;
}

int usage_error(const std::string& message) {
  std::fprintf(stderr, "faultline: %s\n(run 'faultline --help' for usage)\n", message.c_str());
  return 2;
}

}  // namespace

int main_with_args(int argc, char** argv) {
  CLI::App app{"faultline: chaos and disaster-recovery drills with measured RTO", "faultline"};
  app.require_subcommand(1);
  CliOptions options;
  app.add_option("--home", options.home,
                 "state folder: journal, logs, records (env FAULTLINE_HOME)");
  app.add_option("--plugins", options.plugin_dirs,
                 "a folder of exec plugins (repeatable; env FAULTLINE_PLUGIN_PATH)");
  const CommandEntry* chosen = nullptr;
  for (const auto& entry : kCommands) {
    CLI::App* command = app.add_subcommand(entry.name, entry.description);
    entry.add_options(*command, options);
    command->callback([&chosen, &entry] { chosen = &entry; });
  }
  // CLI11 would call an unknown word an unexpected positional; name it as a command.
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-') {
      if (std::strcmp(argv[i], "--home") == 0 || std::strcmp(argv[i], "--plugins") == 0) ++i;
      continue;
    }
    auto names = command_names();
    if (std::find(names.begin(), names.end(), argv[i]) == names.end()) {
      return usage_error(std::string("unknown command '") + argv[i] + "'" +
                         did_you_mean(argv[i], names));
    }
    break;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::CallForAllHelp& help) {
    return app.exit(help);
  } catch (const CLI::ExtrasError& extras) {
    std::string message = extras.what();
    for (int i = 1; i < argc; ++i) {
      if (argv[i][0] != '-' || message.find(argv[i]) == std::string::npos) continue;
      std::string flag = std::string(argv[i]).substr(0, std::string(argv[i]).find('='));
      return usage_error("unknown option '" + flag + "'" + did_you_mean(flag, option_names(app)));
    }
    return usage_error(message);
  } catch (const CLI::ParseError& error) {
    return usage_error(error.what());
  }
  if (!chosen) return usage_error("no command given");
  return chosen->run(options);
}

}  // namespace faultline

int main(int argc, char** argv) {
  // A closed pipe on our output (`| head`, a dead `tee`) must not kill a runner that has
  // faults injected; writes fail instead and the drill goes on to roll back.
  signal(SIGPIPE, SIG_IGN);
  try {
    return faultline::main_with_args(argc, argv);
  } catch (const std::exception& problem) {
    std::fprintf(stderr,
                 "faultline: internal error: %s\nfaultline: if a drill was running, run "
                 "'faultline recover' to undo what its journal still lists\n",
                 problem.what());
    return 4;
  }
}

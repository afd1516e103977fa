// faultline's command line: a table of subcommands over the runner.
//
// CLI11 parses; every ParseError it throws is turned here into a usage error in
// faultline's voice that says what is wrong and what to type (CLI11's own text never
// reaches the user alone), printed on stderr with a hint naming the command's --help,
// exit 2. The messages are built from what CLI11 parsed (its options and their
// results), not from its wording.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "runner/cli/commands.h"
#include "runner/cli/records_cli.h"
#include "runner/core/exit_codes.h"
#include "runner/core/suggest.h"

namespace faultline {
namespace {

using exit_codes::kUsage;

struct CommandEntry {
  const char* name;
  const char* description;
  const char* usage;  // the shortest correct invocation, quoted when the plan is missing
  void (*add_options)(CLI::App&, CliOptions&);
  int (*run)(const CliOptions&);
};

// Value checks. CLI11 reports a failed check as "<option>: <message>", which
// value_check_failed prints as "<option> <message>"; so these messages start with a verb.
std::string check_name_equals_value(std::string& value) {
  size_t equals = value.find('=');
  if (equals == std::string::npos || equals == 0) return "takes NAME=VALUE, not '" + value + "'";
  return "";
}

std::string check_text_or_json(std::string& value) {
  if (value == "text" || value == "json") return "";
  return "takes text or json, not '" + value + "'";
}

// One value per flag, repeatable. CLI11's vector options are greedy otherwise, and
// `--var K=V PLAN` would take the plan as a second variable.
CLI::Option* add_repeatable(CLI::App& command, const std::string& name,
                            std::vector<std::string>& values, const std::string& help) {
  return command.add_option(name, values, help)->allow_extra_args(false);
}

void add_var_option(CLI::App& command, CliOptions& options, const std::string& help) {
  add_repeatable(command, "--var", options.vars, help)
      ->type_name("NAME=VALUE")
      ->check(CLI::Validator(check_name_equals_value, ""));
}

void no_options(CLI::App&, CliOptions&) {}

void validate_options(CLI::App& command, CliOptions& options) {
  command.add_option("plans", options.plans, "drill plan files ('-' reads standard input)")
      ->required()
      ->type_name("PLAN");
  add_var_option(command, options,
                 "set a plan variable: NAME=VALUE (repeatable); values of vars not given are "
                 "reported as notes, so CI can lint plans without secrets");
}

void run_options(CLI::App& command, CliOptions& options) {
  command.add_option("plan", options.plans, "drill plan file ('-' reads standard input)")
      ->required()
      ->expected(1)
      ->type_name("PLAN");
  add_var_option(command, options, "set a plan variable: NAME=VALUE (repeatable)");
  command
      .add_option("--records", options.records_dir,
                  "where to write the drill record (default <home>/records)")
      ->type_name("DIR");
  command.add_option("--junit", options.junit_path, "also write JUnit XML to this file")
      ->type_name("FILE");
  command.add_flag("--dry-run", options.dry_run, "print the timeline and inject nothing");
  command.add_flag("--quiet,-q", options.quiet, "no live view; only the summary");
  command.add_option("--log-format", options.log_format, "live view: text (default) or json")
      ->type_name("text|json")
      ->check(CLI::Validator(check_text_or_json, ""));
  command
      .add_option("--operator", options.operator_name,
                  "who runs the drill (default: $SUDO_USER/$USER)")
      ->type_name("NAME");
}

void types_options(CLI::App& command, CliOptions& options) {
  command.add_flag("--json", options.json, "machine-readable schemas");
}

void proxy_options(CLI::App& command, CliOptions& options) {
  command.add_option("--host", options.proxy_host, "the API's address (default 127.0.0.1)")
      ->type_name("ADDRESS");
  command.add_option("--port", options.proxy_port, "the API's port (default 8474; 0: any free)")
      ->type_name("PORT")
      ->check(CLI::Range(0, 65535));
  command
      .add_option("--config", options.proxy_config,
                  "create these proxies at start (a JSON array, as POST /populate takes)")
      ->type_name("FILE");
}

std::string check_audit_format(std::string& value) {
  if (value == "md" || value == "json" || value == "html") return "";
  return "takes md, json or html, not '" + value + "'";
}

void audit_options(CLI::App& command, CliOptions& options) {
  command.add_option("--since", options.audit.since, "audit from this UTC date or time")
      ->required()
      ->type_name("DATE");
  command
      .add_option("--until", options.audit.until,
                  "up to this UTC date (inclusive) or time (default: now)")
      ->type_name("DATE");
  command.add_option("--plans", options.audit.plans_dir, "the folder of plans (default .)")
      ->type_name("DIR");
  command.add_option("--format", options.audit.format, "md (default), json or html")
      ->type_name("md|json|html")
      ->check(CLI::Validator(check_audit_format, ""));
  command.add_option("-o,--output", options.audit.output, "write to FILE, not stdout")
      ->type_name("FILE");
}

const CommandEntry kCommands[] = {
    {"validate", "check plans; every error as FILE:LINE:COL (exit 2 if any)",
     "faultline validate PLAN.yaml...", validate_options, command_validate},
    {"run", "run a drill plan", "faultline run PLAN.yaml", run_options, command_run},
    {"recover", "roll back what a killed runner left behind, from the journal", "faultline recover",
     no_options, command_recover},
    {"types", "list fault and probe types with their parameters", "faultline types", types_options,
     command_types},
    {"schema", "print a JSON Schema (2020-12) of plans, for editors", "faultline schema",
     no_options, command_schema},
    {"version", "print the version", "faultline version", no_options, command_version},
    {"records", "query and verify the record store: list, show, review, close, actions, verify",
     "faultline records list", add_records_subcommands, command_records},
    {"report", "a drill's report (HTML, Markdown, JSON), or a plan's trend across drills",
     "faultline report ID", add_report_options, command_report},
    {"audit", "planned versus executed drills per plan; exit 1 if any is missed or overdue",
     "faultline audit --since 2026-01-01", audit_options, command_audit},
    {"proxy", "serve the fault proxy with a Toxiproxy-compatible HTTP API", "faultline proxy",
     proxy_options, command_proxy},
};

void add_global_options(CLI::App& app, CliOptions& options) {
  app.add_option("--home", options.home,
                 "state folder: journal, logs, records (env FAULTLINE_HOME)")
      ->type_name("DIR");
  add_repeatable(app, "--plugins", options.plugin_dirs,
                 "a folder of plugins, exec or .lua (repeatable; env FAULTLINE_PLUGIN_PATH)")
      ->type_name("DIR");
  app.add_option("--store", options.store,
                 "the record store: postgresql://... or a SQLite file (env FAULTLINE_STORE; "
                 "default <home>/records.db)")
      ->type_name("STORE");
  app.add_option("--key-file", options.key_file,
                 "sign and check the ledger with this key (env FAULTLINE_LEDGER_KEY)")
      ->type_name("FILE");
  app.set_version_flag("--version,-V", "", "print the version, as 'faultline version' does");
  // Global options work wherever they are typed (`faultline run PLAN --home DIR`): a
  // command hands an option it does not know to the app. Commands inherit this setting
  // when they are added, so it must come first.
  app.fallthrough();
  app.footer(
      "Global options (--home DIR, --plugins DIR) may come before or after the command.\n"
      "Run 'faultline help COMMAND' (or 'faultline COMMAND --help') for a command's options.");
}

// `faultline help [COMMAND]`, for those who type help as a word.
CLI::App* add_help_command(CLI::App& app, std::string& topic) {
  CLI::App* help = app.add_subcommand("help", "show this help, or a command's: faultline help run");
  help->add_option("command", topic, "the command to explain")->type_name("COMMAND");
  return help;
}

std::vector<std::string> command_names() {
  std::vector<std::string> names;
  for (const auto& command : kCommands) names.push_back(command.name);
  names.push_back("help");
  return names;
}

const CommandEntry* entry_named(const std::string& name) {
  for (const auto& entry : kCommands) {
    if (name == entry.name) return &entry;
  }
  return nullptr;
}

// A usage error: what is wrong and what to type, and the command whose --help the hint
// line names (null: the app's).
struct UsageError {
  const CLI::App* command;
  std::string message;
};

// "faultline records list" for a nested command.
std::string command_words(const CLI::App* command) {
  std::string words;
  for (; command && command->get_parent(); command = command->get_parent()) {
    words = " " + command->get_name() + words;
  }
  return "faultline" + words;
}

// "faultline run: <problem>", naming the command the problem was typed to.
UsageError problem_in(const CLI::App* command, const std::string& problem) {
  return {command, command_words(command) + ": " + problem};
}

int report(const UsageError& error) {
  std::fprintf(stderr, "%s\n(run '%s --help' for usage)\n", error.message.c_str(),
               command_words(error.command).c_str());
  return kUsage;
}

const CLI::Option* option_named(const std::vector<const CLI::Option*>& options,
                                const std::string& name) {
  for (const CLI::Option* option : options) {
    if (!option->get_positional() && option->check_name(name)) return option;
  }
  return nullptr;
}

// Every command, nested ones (records list) too.
std::vector<const CLI::App*> all_commands(const CLI::App& app) {
  std::vector<const CLI::App*> commands;
  for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
    commands.push_back(command);
    for (const CLI::App* nested : all_commands(*command)) commands.push_back(nested);
  }
  return commands;
}

// Where CLI11 stopped: the command typed (null before one was named) and the options
// valid there, the app's (global) ones and the command's.
struct ParseState {
  const CLI::App& app;
  const std::vector<std::string>& args;
  const CLI::App* command = nullptr;
  std::vector<const CLI::Option*> scope;

  ParseState(const CLI::App& parsed, const std::vector<std::string>& typed)
      : app(parsed), args(typed), scope(parsed.get_options()) {
    // The deepest command typed (`records list`), with its parents' options in scope.
    for (const CLI::App* level = &parsed; !level->get_subcommands().empty();) {
      level = command = level->get_subcommands().front();
      for (const CLI::Option* option : command->get_options()) scope.push_back(option);
    }
  }
  const CLI::Option* option(const std::string& name) const { return option_named(scope, name); }
};

std::vector<std::string> long_names(const std::vector<const CLI::Option*>& options) {
  std::vector<std::string> names;
  for (const CLI::Option* option : options) {
    for (const auto& name : option->get_lnames()) names.push_back("--" + name);
  }
  return names;
}

// "; it is an option of 'faultline run'" when another command takes `flag`.
std::string owner_of(const CLI::App& app, const std::string& flag) {
  std::vector<std::string> owners;
  for (const CLI::App* command : all_commands(app)) {
    if (option_named(command->get_options(), flag)) {
      owners.push_back("'" + command_words(command) + "'");
    }
  }
  if (owners.empty()) return "";
  return fmt::format("; it is an option of {}", fmt::join(owners, " and "));
}

bool has_positional(const CLI::App& command) {
  auto options = command.get_options();
  return std::any_of(options.begin(), options.end(),
                     [](const CLI::Option* option) { return option->get_positional(); });
}

// A plan whose name begins with '-' reads as an option; say how to pass it.
std::string plan_hint(const ParseState& state, const std::string& arg) {
  bool looks_like_path = arg.find_first_of("./") != std::string::npos;
  if (!state.command || !has_positional(*state.command) || !looks_like_path) return "";
  return fmt::format("; if it is a plan, put '--' before it: {} -- {}",
                     command_words(state.command), arg);
}

UsageError unknown_option(const ParseState& state, const std::string& arg) {
  std::string flag = arg.substr(0, arg.find('='));
  if (flag == "-") flag = arg;  // CLI11's leftover of `-q=1`
  // Only `--` makes CLI11 leave a known option unparsed.
  if (state.option(flag)) {
    return problem_in(state.command, "'" + arg +
                                         "' comes after '--', which ends the options; put it "
                                         "before '--'");
  }
  return problem_in(state.command, "unknown option '" + flag + "'" +
                                       did_you_mean(flag, long_names(state.scope)) +
                                       owner_of(state.app, flag) + plan_hint(state, arg));
}

// Whether `word` was typed before the command's name, so was meant as the command.
bool typed_before(const std::vector<std::string>& args, const std::string& word,
                  const CLI::App& command) {
  auto word_at = std::find(args.begin(), args.end(), word);
  return word_at < std::find(args.begin(), args.end(), command.get_name());
}

UsageError unexpected_word(const ParseState& state, const std::string& word) {
  if (!state.command || typed_before(state.args, word, *state.command)) {
    return problem_in(nullptr,
                      "unknown command '" + word + "'" + did_you_mean(word, command_names()));
  }
  auto below = state.command->get_subcommands([](const CLI::App*) { return true; });
  if (!below.empty()) {
    std::vector<std::string> names;
    for (const CLI::App* command : below) names.push_back(command->get_name());
    return problem_in(state.command, "unknown command '" + word + "'" + did_you_mean(word, names));
  }
  if (!has_positional(*state.command)) {
    return {state.command,
            command_words(state.command) + " takes no arguments; got '" + word + "'"};
  }
  return problem_in(state.command, "unexpected argument '" + word + "'");
}

// What CLI11 left over, less a `--` that had nothing after it.
std::vector<std::string> unplaced(const CLI::App& app) {
  auto extras = app.remaining(true);
  extras.erase(std::remove(extras.begin(), extras.end(), "--"), extras.end());
  return extras;
}

// What CLI11 could not place: unknown options, unknown commands, stray words. The first
// is reported; fixing it is the next step either way.
UsageError unexpected_arguments(const ParseState& state) {
  auto extras = unplaced(state.app);
  if (extras.empty()) return problem_in(state.command, "unexpected arguments");
  const std::string& first = extras.front();
  if (first.size() > 1 && first[0] == '-') return unknown_option(state, first);
  return unexpected_word(state, first);
}

// CLI11 checks what is required before what is unexpected; a typo explains more than
// what it left missing, so unexpected arguments are reported first.
UsageError missing_arguments(const ParseState& state) {
  if (!unplaced(state.app).empty()) return unexpected_arguments(state);
  if (!state.command) {
    return {nullptr,
            fmt::format("faultline needs a command, e.g. 'faultline run PLAN.yaml' (commands: {})",
                        fmt::join(command_names(), ", "))};
  }
  // A command with subcommands (records) needs one of them.
  auto below = state.command->get_subcommands([](const CLI::App*) { return true; });
  if (!below.empty()) {
    std::vector<std::string> names;
    for (const CLI::App* command : below) names.push_back(command->get_name());
    return {state.command, fmt::format("{} needs a command: one of {}",
                                       command_words(state.command), fmt::join(names, ", "))};
  }
  // A nested command's required argument (records show ID).
  if (state.command->get_parent() != &state.app) {
    for (const CLI::Option* option : state.command->get_options()) {
      if (option->get_positional() && option->get_required() && option->count() == 0) {
        return {state.command,
                fmt::format("{} needs {}", command_words(state.command), option->get_type_name())};
      }
    }
  }
  // Otherwise only plans are required (run's, validate's).
  const CommandEntry* entry = entry_named(state.command->get_name());
  return {state.command, fmt::format("{} needs a plan: {}", command_words(state.command),
                                     entry ? entry->usage : command_words(state.command))};
}

std::string quoted_list(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const auto& value : values) quoted.push_back("'" + value + "'");
  return fmt::format("{}", fmt::join(quoted, ", "));
}

UsageError too_many_values(const CLI::App* command, const CLI::Option& option) {
  const auto& values = option.results();
  if (option.get_positional()) {
    return {command, fmt::format("{} takes one {}; got {} ({}).{}", command_words(command),
                                 option.get_name(), values.size(), fmt::join(values, ", "),
                                 option.get_name() == "plan" ? " Run each drill separately." : "")};
  }
  std::string times = values.size() == 2 ? "twice" : std::to_string(values.size()) + " times";
  return problem_in(command, fmt::format("{} given {} ({}); give it once", option.get_name(), times,
                                         quoted_list(values)));
}

// Anything not mapped below still speaks as faultline, and shows CLI11's reason.
UsageError unclear(const ParseState& state, const CLI::ParseError& error) {
  return problem_in(state.command,
                    std::string("cannot make sense of the command line (") + error.what() + ")");
}

// CLI11 throws ArgumentMismatch when an option got more values than it takes (given
// twice, or two plans), or when the last thing typed is an option with no value after it.
UsageError argument_mismatch(const ParseState& state, const CLI::ParseError& error) {
  for (const CLI::Option* option : state.scope) {
    auto most = static_cast<size_t>(std::max(option->get_items_expected_max(), 1));
    if (option->results().size() > most) return too_many_values(state.command, *option);
  }
  if (!state.args.empty()) {
    std::string last = state.args.back().substr(0, state.args.back().find('='));
    if (const CLI::Option* option = state.option(last)) {
      return problem_in(state.command, fmt::format("{} needs a value: {} {}", last, last,
                                                   option->get_type_name()));
    }
  }
  return unclear(state, error);
}

// A value check failed. CLI11 says "<option>: <message>", and the checks above write
// their message to follow the option's name.
UsageError value_check_failed(const ParseState& state, const CLI::ParseError& error) {
  std::string text = error.what();
  for (const CLI::Option* option : state.scope) {
    std::string prefix = option->get_name() + ": ";
    if (text.rfind(prefix, 0) == 0) {
      return problem_in(state.command, option->get_name() + " " + text.substr(prefix.size()));
    }
  }
  return unclear(state, error);
}

// CLI11 throws ConversionError when a switch is given a value it cannot read as a bool.
UsageError switch_given_value(const ParseState& state, const CLI::ParseError& error) {
  for (const auto& arg : state.args) {
    std::string flag = arg.substr(0, arg.find('='));
    if (flag == arg || flag.empty() || flag[0] != '-') continue;
    const CLI::Option* option = state.option(flag);
    if (option && option->get_expected_max() == 0) {
      return problem_in(state.command,
                        fmt::format("{} is a switch and takes no value; type just {}", flag, flag));
    }
  }
  return unclear(state, error);
}

// Every ParseError CLI11 can throw here, as a usage error in faultline's voice.
UsageError usage_error(const ParseState& state, const CLI::ParseError& error) {
  if (dynamic_cast<const CLI::ExtrasError*>(&error)) return unexpected_arguments(state);
  if (dynamic_cast<const CLI::RequiredError*>(&error)) return missing_arguments(state);
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&error)) return argument_mismatch(state, error);
  if (dynamic_cast<const CLI::ValidationError*>(&error)) return value_check_failed(state, error);
  if (dynamic_cast<const CLI::ConversionError*>(&error)) return switch_given_value(state, error);
  return unclear(state, error);
}

// `faultline help [COMMAND]` prints what `faultline [COMMAND] --help` would.
int show_help(const CLI::App& app, const std::string& topic) {
  if (topic.empty()) {
    std::cout << app.get_formatter()->make_help(&app, "faultline", CLI::AppFormatMode::Normal);
    return 0;
  }
  for (const CLI::App* command : all_commands(app)) {
    if (command->get_name() == topic) {
      std::cout << command->help("faultline");
      return 0;
    }
  }
  return report(problem_in(app.get_subcommand("help"),
                           "no command '" + topic + "'" + did_you_mean(topic, command_names())));
}

}  // namespace

int main_with_args(int argc, char** argv) {
  CLI::App app{"faultline: chaos and disaster-recovery drills with measured RTO", "faultline"};
  app.require_subcommand(1);
  CliOptions options;
  add_global_options(app, options);
  const CommandEntry* chosen = nullptr;
  for (const auto& entry : kCommands) {
    CLI::App* command = app.add_subcommand(entry.name, entry.description);
    entry.add_options(*command, options);
    command->callback([&chosen, &entry] { chosen = &entry; });
  }
  std::string help_topic;
  CLI::App* help = add_help_command(app, help_topic);
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForVersion&) {
    return command_version(options);
  } catch (const CLI::Success& help_request) {
    return app.exit(help_request);
  } catch (const CLI::ParseError& error) {
    return report(usage_error(ParseState(app, args), error));
  }
  if (help->parsed()) return show_help(app, help_topic);
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
    return faultline::exit_codes::kRollbackFailed;
  }
}

// The command line as operators type it by habit: global options anywhere, one value
// per repeatable flag, help as a word, and usage errors in faultline's voice (what is
// wrong, what to type, exit 2, a hint naming the command's --help). Runs the real binary.
#include <catch2/catch.hpp>
#include <filesystem>
#include <sstream>

#include "runner/os/files.h"
#include "runner/os/journal.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

std::string noop_plan() {
  return fast_plan("noop", "  - {name: noop, type: exec, at: 0s, params: {inject: [\"true\"]}}\n");
}

// stderr of a usage error: the message, then the hint for `command` ("" for the app).
std::string usage_error(const std::string& message, const std::string& command = "") {
  std::string words = command.empty() ? "faultline" : "faultline " + command;
  return message + "\n(run '" + words + " --help' for usage)\n";
}

// Runs the binary in `dir`, for plan paths that must be relative (e.g. "-dash.yaml").
CliRun run_in(const std::string& dir, const std::vector<std::string>& args) {
  Command command;
  command.argv = {FAULTLINE_BINARY};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.cwd = dir;
  auto result = run_command(command, Millis(60000));
  REQUIRE(result.ok());
  return CliRun{result->exit_code, result->out, result->err};
}

// "$ faultline ARGS" lines in the README's CLI section, each with the stderr under it.
struct ReadmeExample {
  std::vector<std::string> args;
  std::string err;
};

std::vector<ReadmeExample> readme_cli_examples() {
  std::string readme = *faultline::read_file(source_path("README.md"));
  size_t section = readme.find("### The CLI");
  REQUIRE(section != std::string::npos);
  std::istringstream lines(readme.substr(section, readme.find("\n### ", section + 1) - section));
  std::vector<ReadmeExample> examples;
  bool in_example = false;
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("$ faultline ", 0) == 0) {
      examples.emplace_back();
      std::istringstream words(line.substr(12));
      for (std::string word; words >> word;) examples.back().args.push_back(word);
      in_example = true;
    } else if (line.rfind("```", 0) == 0) {
      in_example = false;
    } else if (in_example) {
      examples.back().err += line + "\n";
    }
  }
  return examples;
}

}  // namespace

TEST_CASE("a --home after the plan places the record and the journal there") {
  TempDir dir;
  std::string plan = dir.write("plan.yaml", noop_plan());
  CliRun run = run_cli({"run", plan, "--home", dir.file("home"), "-q"});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.err.empty());
  CHECK(only_record(dir.file("home/records"))["plan"]["name"] == "noop");
  CHECK(std::filesystem::exists(dir.file("home/journal")));
}

TEST_CASE("options written NAME=VALUE work before and after the plan") {
  TempDir dir;
  std::string plan = dir.write("plan.yaml", noop_plan());
  CliRun run = run_cli({"run", "--home=" + dir.file("home"), plan, "--records=" + dir.file("rec"),
                        "--log-format=json", "--quiet"});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(only_record(dir.file("rec"))["plan"]["name"] == "noop");
  CHECK(std::filesystem::exists(dir.file("home/journal")));
  CHECK_FALSE(std::filesystem::exists(dir.file("home/records")));
}

TEST_CASE("recover --home DIR undoes what a drill run with --home DIR left") {
  TempDir dir;
  std::string flag = dir.file("flag");
  std::string gate = dir.file("rollback-may-run");
  // The rollback fails until the gate file exists, so the drill leaves a journal.
  std::string plan =
      fast_plan("left-behind",
                "  - {name: flag, type: exec, at: 0s, duration: 100ms, params: {inject: "
                "\"touch " +
                    flag + "\", rollback: \"test -e " + gate + " && rm " + flag + "\"}}\n");
  CliRun run = run_cli({"run", dir.write("plan.yaml", plan), "--home", dir.file("home"), "-q"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 4);
  REQUIRE(list_journals(dir.file("home/journal")).size() == 1);

  dir.write("rollback-may-run", "");
  CliRun recover = run_cli({"recover", "--home", dir.file("home")});
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(flag));
  CHECK(list_journals(dir.file("home/journal")).empty());
}

TEST_CASE("a --plugins after the command takes one folder per flag and may be repeated") {
  TempDir dir;
  std::filesystem::create_directory(dir.file("empty"));
  std::string plan = dir.write(
      "plan.yaml", fast_plan("plugin-drill",
                             "  - {name: flag, type: example.flag_file, at: 0s, params: {path: " +
                                 dir.file("flag") + "}}\n"));
  CliRun run = run_cli({"validate", "--plugins", dir.file("empty"), "--plugins",
                        source_path("plugins/examples"), plan});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find(plan + ": ok: plan 'plugin-drill'") != std::string::npos);
}

TEST_CASE("each --var takes one NAME=VALUE, so the plan after it stays the plan") {
  TempDir dir;
  std::string plan = dir.write(
      "plan.yaml", fast_plan("vars",
                             "  - {name: touch, type: exec, at: 0s, params: {inject: [touch, \"" +
                                 dir.path() + "/${var:FIRST}-${var:SECOND}\"]}}\n",
                             kAlwaysPasses, "vars: {FIRST: unset, SECOND: unset}\n"));
  CliRun run = run_cli({"run", "--var", "FIRST=a", "--var=SECOND=b", plan, "-q"}, dir.file("home"));
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(std::filesystem::exists(dir.file("a-b")));
}

TEST_CASE("validate --var before several plans validates every plan") {
  TempDir dir;
  std::string fault = "  - {name: noop, type: exec, at: 0s, params: {inject: [\"${var:NAME}\"]}}\n";
  std::string vars = "vars: {NAME: unset}\n";
  std::string first = dir.write("first.yaml", fast_plan("first", fault, kAlwaysPasses, vars));
  std::string second = dir.write("second.yaml", fast_plan("second", fault, kAlwaysPasses, vars));
  CliRun run = run_cli({"validate", "--var", "NAME=true", first, second});
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.out.find(first + ": ok: plan 'first'") != std::string::npos);
  CHECK(run.out.find(second + ": ok: plan 'second'") != std::string::npos);
}

TEST_CASE("validate --help says vars not given are fine for linting") {
  CliRun run = run_cli({"validate", "--help"});
  CHECK(run.exit_code == 0);
  CHECK(run.out.find("values of vars not given are reported as notes, so CI can lint plans "
                     "without secrets") != std::string::npos);
}

TEST_CASE("the --version and -V flags print what 'faultline version' prints") {
  CliRun version = run_cli({"version"});
  REQUIRE(version.exit_code == 0);
  for (const char* flag : {"--version", "-V"}) {
    CliRun run = run_cli({flag});
    CHECK(run.exit_code == 0);
    CHECK(run.out == version.out);
  }
}

TEST_CASE("help as a word shows the app's help, or one command's") {
  CliRun help = run_cli({"help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out == run_cli({"--help"}).out);
  CHECK(help.out == run_cli({"-h"}).out);
  CHECK(help.out.find("Global options (--home DIR, --plugins DIR) may come before or after") !=
        std::string::npos);
  CliRun run_help = run_cli({"help", "run"});
  CHECK(run_help.exit_code == 0);
  CHECK(run_help.out == run_cli({"run", "--help"}).out);
  CHECK(run_help.out.find("--dry-run") != std::string::npos);

  CliRun typo = run_cli({"help", "rn"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err == usage_error("faultline help: no command 'rn', did you mean 'run'?", "help"));
}

TEST_CASE("run with two plans says to run each drill separately") {
  CliRun run = run_cli({"run", "a.yaml", "b.yaml"});
  CHECK(run.exit_code == 2);
  CHECK(run.err == usage_error("faultline run takes one plan; got 2 (a.yaml, b.yaml). Run each "
                               "drill separately.",
                               "run"));
}

TEST_CASE("run or validate without a plan shows how to give one") {
  CliRun run = run_cli({"run", "--dry-run"});
  CHECK(run.exit_code == 2);
  CHECK(run.err == usage_error("faultline run needs a plan: faultline run PLAN.yaml", "run"));
  CliRun validate = run_cli({"validate"});
  CHECK(validate.exit_code == 2);
  CHECK(
      validate.err ==
      usage_error("faultline validate needs a plan: faultline validate PLAN.yaml...", "validate"));
}

TEST_CASE("no command at all lists the commands") {
  CliRun run = run_cli({});
  CHECK(run.exit_code == 2);
  CHECK(run.err ==
        usage_error(
            "faultline needs a command, e.g. 'faultline run PLAN.yaml' "
            "(commands: validate, run, recover, types, schema, version, records, report, audit, "
            "proxy, help)"));
}

TEST_CASE("a bad value names the option, what it takes and what it got") {
  CliRun format = run_cli({"run", "a.yaml", "--log-format", "xml"});
  CHECK(format.exit_code == 2);
  CHECK(format.err ==
        usage_error("faultline run: --log-format takes text or json, not 'xml'", "run"));
  CliRun var = run_cli({"run", "--var", "FOO", "a.yaml"});
  CHECK(var.exit_code == 2);
  CHECK(var.err == usage_error("faultline run: --var takes NAME=VALUE, not 'FOO'", "run"));
  CliRun flag = run_cli({"run", "a.yaml", "--dry-run=maybe"});
  CHECK(flag.exit_code == 2);
  CHECK(flag.err ==
        usage_error("faultline run: --dry-run is a switch and takes no value; type just --dry-run",
                    "run"));
}

TEST_CASE("an option given twice is named with both values") {
  CliRun run = run_cli({"--home", "a", "run", "plan.yaml", "--home", "b"});
  CHECK(run.exit_code == 2);
  CHECK(run.err ==
        usage_error("faultline run: --home given twice ('a', 'b'); give it once", "run"));
}

TEST_CASE("an option with no value after it says what value it takes") {
  CliRun run = run_cli({"run", "plan.yaml", "--records"});
  CHECK(run.exit_code == 2);
  CHECK(run.err == usage_error("faultline run: --records needs a value: --records DIR", "run"));
}

TEST_CASE("an unknown option names the command it was given to") {
  CliRun typo = run_cli({"run", "plan.yaml", "--dryrun"});
  CHECK(typo.exit_code == 2);
  CHECK(typo.err ==
        usage_error("faultline run: unknown option '--dryrun', did you mean '--dry-run'?", "run"));
  CliRun elsewhere = run_cli({"recover", "--dry-run"});
  CHECK(elsewhere.exit_code == 2);
  CHECK(elsewhere.err == usage_error("faultline recover: unknown option '--dry-run'; it is an "
                                     "option of 'faultline run'",
                                     "recover"));
}

TEST_CASE("an unknown command before a known one is still named as the command") {
  CliRun run = run_cli({"hepl", "run"});
  CHECK(run.exit_code == 2);
  CHECK(run.err == usage_error("faultline: unknown command 'hepl', did you mean 'help'?"));
}

TEST_CASE("a word after a command that takes none is named") {
  CliRun run = run_cli({"types", "faults"});
  CHECK(run.exit_code == 2);
  CHECK(run.err == usage_error("faultline types takes no arguments; got 'faults'", "types"));
}

TEST_CASE("a plan whose name begins with '-' is passed after '--'") {
  TempDir dir;
  dir.write("-dash.yaml", noop_plan());
  CliRun passed = run_in(dir.path(), {"validate", "--", "-dash.yaml"});
  INFO(passed.err);
  CHECK(passed.exit_code == 0);
  CHECK(passed.out.find("-dash.yaml: ok: plan 'noop'") != std::string::npos);
  CliRun bare = run_in(dir.path(), {"validate", "-dash.yaml"});
  CHECK(bare.exit_code == 2);
  CHECK(bare.err == usage_error("faultline validate: unknown option '-dash.yaml'; if it is a "
                                "plan, put '--' before it: faultline validate -- -dash.yaml",
                                "validate"));
}

TEST_CASE("a plan path of '-' reaches the plan loader, even after --var") {
  // The loader reads '-' as standard input; here the CLI must only pass it on as a plan.
  CliRun run = run_cli({"run", "--var", "A=1", "-", "--dry-run"});
  INFO(run.err);
  CHECK(run.err.find("(run 'faultline") == std::string::npos);
  CHECK(run.err.find("--var") == std::string::npos);
}

TEST_CASE("no usage error shows the parser's own wording") {
  const std::vector<std::vector<std::string>> mistakes = {
      {},
      {"run"},
      {"run", "a.yaml", "b.yaml"},
      {"run", "a.yaml", "--log-format", "xml"},
      {"run", "a.yaml", "--records"},
      {"run", "a.yaml", "--var="},
      {"run", "a.yaml", "--dry-run=maybe"},
      {"run", "a.yaml", "--junit", "x", "--junit", "y"},
      {"--home", "a", "--home", "b", "recover"},
      {"types", "extra"},
      {"types", "--", "--json"},
      {"validate", "--nope", "a.yaml"},
      {"-x"},
      {"help", "run", "types"},
  };
  for (const auto& args : mistakes) {
    CliRun run = run_cli(args);
    INFO(run.err);
    CHECK(run.exit_code == 2);
    CHECK(run.out.empty());
    CHECK(run.err.rfind("faultline", 0) == 0);
    const std::string hint_end = " --help' for usage)\n";
    CHECK(run.err.rfind(hint_end) == run.err.size() - hint_end.size());
    for (const char* raw : {"required but received", "is required", "not expected",
                            "Could not convert", "not in {", "A subcommand", "missing"}) {
      CHECK(run.err.find(raw) == std::string::npos);
    }
  }
}

TEST_CASE("the usage errors shown in the README are the ones faultline prints") {
  auto examples = readme_cli_examples();
  CHECK(examples.size() >= 2);
  for (const auto& example : examples) {
    CliRun run = run_cli(example.args);
    CHECK(run.exit_code == 2);
    CHECK(run.err == example.err);
  }
}

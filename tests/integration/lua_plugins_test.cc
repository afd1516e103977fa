// Lua plugins through the real binary: their types are validated at plan load like the
// built-in ones, injected and rolled back in drills, undone by recover after SIGKILL,
// stopped when they run away (and rolled back), and found along the whole search path.
#include <signal.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "runner/os/journal.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// A flag-file fault in about twenty lines, as the README shows it.
const std::string kFlagPlugin = R"lua(-- team.flag: a flag file while injected
faultline.fault {
  name = "team.flag",
  summary = "Create a flag file while injected; remove it on rollback.",
  params = {
    {name = "path", kind = "string", required = true, doc = "file to create"},
    {name = "percent", kind = "integer", default = 50, doc = "1..99, written into the file"},
    {name = "spin", kind = "boolean", default = false, doc = "loop forever after acting"},
  },
  validate = function(p)
    if p.percent < 1 or p.percent > 99 then return "percent must be 1..99", "percent" end
  end,
  describe = function(p) return "flag " .. p.path end,
  inject = function(p)
    journal({path = p.path})
    local done = run({"sh", "-c", 'echo "$1" > "$2"', "sh", tostring(p.percent), p.path})
    if done.code ~= 0 then error("cannot write " .. p.path .. ": " .. done.err) end
    fs.write("last-flag", p.path)
    while p.spin do end
  end,
  rollback = function(state)
    if run({"test", "-e", state.path}).code ~= 0 then return false end
    run({"rm", "-f", state.path})
  end,
}
faultline.probe {
  name = "team.absent",
  summary = "Passes while a file does not exist.",
  params = {{name = "path", kind = "string", required = true}},
  check = function(p)
    local found = run({"test", "-e", p.path}).code == 0
    return not found, (found and "present: " or "absent: ") .. p.path
  end,
}
)lua";

std::string flag_plan(const std::string& flag, const std::string& extra_params = "",
                      const std::string& duration = "300ms") {
  return fast_plan("lua-drill",
                   "  - {name: flag, type: team.flag, at: 0s, duration: " + duration +
                       ", params: {path: " + flag + extra_params + "}}\n",
                   "    - {name: other, team.absent: {path: " + flag + ".other}}\n");
}

}  // namespace

TEST_CASE("a Lua fault is validated, injected and rolled back like a built-in one") {
  TempDir dir;
  dir.write("plugins/flag.lua", kFlagPlugin);
  std::string flag = dir.file("maintenance");
  CliRun run =
      run_drill_cli({"--plugins", dir.file("plugins"), "run",
                     dir.write("plan.yaml", flag_plan(flag)), "--records", dir.file("records")},
                    dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(flag));
  Json record = only_record(dir.file("records"));
  const Json& fault = record["faults"][0];
  CHECK(fault["what"] == "plugin flag " + flag);
  CHECK(fault["rollback"]["outcome"] == "undone");
  CHECK(fault["steps"][0]["step"] == "inject");
  CHECK(fault["steps"].back()["step"] == "rollback");
  // fs.write went to the drill's work dir, under the home.
  std::string work = dir.file("home") + "/work/" + record["id"].get<std::string>();
  CHECK(text_of(work + "/last-flag") == flag);
}

TEST_CASE("Lua param errors are reported at file:line:col, by schema and by validate") {
  TempDir dir;
  dir.write("plugins/flag.lua", kFlagPlugin);
  std::string plan = dir.write("plan.yaml", fast_plan("bad-params",
                                                      "  - name: flag\n"
                                                      "    type: team.flag\n"
                                                      "    at: 0s\n"
                                                      "    params:\n"
                                                      "      path: /tmp/x\n"
                                                      "      percent: 140\n"
                                                      "  - name: flag2\n"
                                                      "    type: team.flag\n"
                                                      "    at: 0s\n"
                                                      "    params: {path: /tmp/y, spin: maybe}\n"));
  CliRun run = run_cli({"--plugins", dir.file("plugins"), "validate", plan});
  INFO(run.err);
  CHECK(run.exit_code == 2);
  CHECK(mentions(run.err, plan + ":15:16: error: fault 'flag': percent must be 1..99"));
  CHECK(
      mentions(run.err, plan + ":19:34: error: fault 'flag2' param 'spin' must be true or false"));
}

TEST_CASE("faultline types lists Lua types with their docs") {
  TempDir dir;
  dir.write("plugins/flag.lua", kFlagPlugin);
  CliRun run = run_cli({"--plugins", dir.file("plugins"), "types"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(mentions(run.out, "team.flag"));
  CHECK(mentions(run.out, "Create a flag file while injected; remove it on rollback. (plugin " +
                              dir.file("plugins/flag.lua") + ")"));
  CHECK(mentions(run.out, "1..99, written into the file"));
  CHECK(mentions(run.out, "team.absent"));
}

TEST_CASE("a runaway Lua inject is stopped naming the plugin, and its fault rolled back") {
  TempDir dir;
  dir.write("plugins/flag.lua", kFlagPlugin);
  std::string flag = dir.file("maintenance");
  CliRun run = run_drill_cli(
      {"--plugins", dir.file("plugins"), "run",
       dir.write("plan.yaml", flag_plan(flag, ", spin: true")), "--records", dir.file("records")},
      dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 3);
  CHECK_FALSE(std::filesystem::exists(flag));
  Json record = only_record(dir.file("records"));
  const Json& fault = record["faults"][0];
  std::string error = fault["inject"]["error"];
  CHECK(mentions(error, "plugin " + dir.file("plugins/flag.lua") + " fault team.flag inject"));
  CHECK(mentions(error, "instructions (the budget per call); stopped"));
  CHECK(fault["rollback"]["outcome"] == "undone");
}

TEST_CASE("recover calls a Lua rollback with the journaled state after SIGKILL") {
  // The plugin comes from the plan's own plugins:, which recover is not told about: it
  // finds the Lua file the journal names.
  TempDir dir;
  dir.write("plugins/flag.lua", kFlagPlugin);
  std::string flag = dir.file("maintenance");
  std::string plan =
      dir.write("plan.yaml", "plugins: [plugins/flag.lua]\n" + flag_plan(flag, "", "60s"));
  auto runner = start_faultline({"run", plan, "--records", dir.file("records")}, dir.file("home"),
                                dir.file("runner.log"));
  REQUIRE(eventually([&] { return std::filesystem::exists(flag); }, Millis(10000)));
  kill(runner->pid(), SIGKILL);
  REQUIRE(runner->wait(Millis(5000)) != -1);
  CliRun recover = run_cli({"recover"}, dir.file("home"));
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 0);
  CHECK_FALSE(std::filesystem::exists(flag));
  CHECK(list_journals(dir.file("home") + "/journal").empty());
}

TEST_CASE("two plugin files declaring one type is an error naming both") {
  TempDir dir;
  std::string first = dir.write("a/flag.lua", kFlagPlugin);
  std::string second = dir.write("b/flag.lua", kFlagPlugin);
  CliRun run = run_cli({"--plugins", dir.file("a"), "--plugins", dir.file("b"), "types"});
  CHECK(run.exit_code == 2);
  CHECK(mentions(run.err,
                 "fault type 'team.flag' is declared by two plugins: " + first + " and " + second));
  std::string builtin = dir.write("c/kill.lua", R"lua(faultline.fault {name = "process.kill",
    inject = function() end, rollback = function() end})lua");
  CliRun clash = run_cli({"--plugins", dir.file("c"), "types"});
  CHECK(clash.exit_code == 2);
  CHECK(mentions(clash.err, "fault type 'process.kill' of plugin " + builtin +
                                " has the name of a built-in type"));
}

TEST_CASE("plugins are found in <home>/plugins, FAULTLINE_PLUGIN_PATH and a plan's plugins:") {
  TempDir dir;
  dir.write("home/plugins/flag.lua", kFlagPlugin);
  CliRun home = run_cli({"types"}, dir.file("home"));
  CHECK(mentions(home.out, "team.flag"));

  dir.write("env/flag.lua", kFlagPlugin);
  CliRun env =
      run_cli_env({"types"}, dir.file("empty-home"),
                  {{"FAULTLINE_PLUGIN_PATH", dir.file("nowhere") + ":" + dir.file("env")}});
  CHECK(env.exit_code == 2);  // a folder named on the path must exist
  CHECK(mentions(env.err, "plugin directory " + dir.file("nowhere")));
  CliRun found = run_cli_env({"types"}, dir.file("empty-home"),
                             {{"FAULTLINE_PLUGIN_PATH", dir.file("env")}});
  CHECK(found.exit_code == 0);
  CHECK(mentions(found.out, "team.flag"));

  dir.write("drill/lib/flag.lua", kFlagPlugin);
  std::string plan = dir.write("drill/plan.yaml",
                               "plugins: [lib/flag.lua]\n" + flag_plan(dir.file("drill/flagged")));
  CliRun validated = run_cli({"validate", plan}, dir.file("empty-home"));
  INFO(validated.out << validated.err);
  CHECK(validated.exit_code == 0);
}

TEST_CASE("an inline Lua probe checks a real server") {
  TempDir dir;
  int port = free_port();
  auto server = start_http_fixture(port, dir);
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  // `url` is no global of its own: without vars it is nil, the baseline fails (exit 3).
  std::string plan = dir.write(
      "plan.yaml",
      fast_plan("inline-lua", "  - {name: noop, type: exec, at: 0s, params: {inject: \"true\"}}\n",
                "    - {name: up, lua: \"return http.get(url).status == 200\"}\n"));
  CliRun bad = run_drill_cli({"run", plan, "--records", dir.file("records")}, dir.file("home"));
  CHECK(bad.exit_code == 3);
  std::string fixed = dir.write(
      "fixed.yaml",
      fast_plan("inline-lua", "  - {name: noop, type: exec, at: 0s, params: {inject: \"true\"}}\n",
                "    - {name: up, lua: {code: \"return http.get(url).status == 200\", vars: {url: "
                "\"" +
                    url + "\"}}}\n"));
  CliRun run = run_drill_cli({"run", fixed, "--records", dir.file("records2")}, dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
}

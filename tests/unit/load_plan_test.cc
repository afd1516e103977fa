#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>

#include "runner/core/secrets.h"
#include "runner/runner.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// Raw string literals start with a newline after R"( for readability; the plan does not.
std::string yaml(const char* text) {
  std::string out = text;
  if (!out.empty() && out[0] == '\n') out.erase(0, 1);
  return out;
}

PlanLoad load(const std::string& text, const std::map<std::string, std::string>& vars = {}) {
  return load_plan_text("plan.yaml", text, builtin_registry(), vars);
}

Plan loaded(const std::string& text, const std::map<std::string, std::string>& vars = {}) {
  PlanLoad result = load(text, vars);
  std::string errors;
  for (const auto& diagnostic : result.diagnostics) errors += render_diagnostic(diagnostic, text);
  INFO(errors);
  REQUIRE(result.plan.has_value());
  REQUIRE(result.diagnostics.empty());
  return std::move(*result.plan);
}

std::string rendered(const std::string& text, const std::map<std::string, std::string>& vars = {}) {
  PlanLoad result = load(text, vars);
  CHECK_FALSE(result.plan.has_value());
  std::string out;
  for (const auto& diagnostic : result.diagnostics) out += render_diagnostic(diagnostic, text);
  return out;
}

// Secrets are process-wide: whatever a test registers is gone when it ends.
struct SecretsReset {
  ~SecretsReset() { forget_secrets_for_testing(); }
};

struct EnvVar {
  std::string name;
  EnvVar(std::string name_, const std::string& value) : name(std::move(name_)) {
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~EnvVar() { ::unsetenv(name.c_str()); }
};

const std::string kMinimalPlan = yaml(R"(
version: 1
name: minimal
steady_state:
  probes:
    - http: {url: "http://127.0.0.1:8080/"}
faults:
  - name: slow
    type: exec
    at: 1s
    params: {inject: [sleep, "1"]}
)");

}  // namespace

// --- plans that load ------------------------------------------------------------------

TEST_CASE("a quickstart-like plan loads with services, probes, faults and objectives") {
  Plan plan = loaded(yaml(R"(
version: 1
name: quickstart-web-restart
description: A web server is killed and restarts.
owner: sre-team
runbook: README.md#quickstart
vars:
  PORT: "18080"
objectives:
  rto: 5s
  availability: 70%
services:
  web:
    command: [python3, -m, http.server, --bind, 127.0.0.1, "${var:PORT}"]
    cwd: /tmp
    ready: {http: {url: "http://127.0.0.1:${var:PORT}/"}, timeout: 10s}
    restart: {policy: always, delay: 1s}
steady_state:
  interval: 100ms
  recovered_after: 3
  baseline_rounds: 5
  probes:
    - name: health
      http: {url: "http://127.0.0.1:${var:PORT}/", expect_status: 200, timeout: 300ms}
faults:
  - name: crash
    type: process.kill
    at: 2s
    target: {service: web}
    params: {signal: KILL}
recovery:
  timeout: 30s
  observe: 5s
)"));
  CHECK(plan.path == "plan.yaml");
  CHECK(plan.name == "quickstart-web-restart");
  CHECK(plan.description == "A web server is killed and restarts.");
  CHECK(plan.owner == "sre-team");
  CHECK(plan.runbook == "README.md#quickstart");
  CHECK(plan.sha256.size() == 64);

  REQUIRE(plan.objectives.size() == 2);
  CHECK(plan.objectives[0].name == "rto");
  CHECK(plan.objectives[0].target == 5000.0);
  CHECK(plan.objectives[1].name == "availability");
  CHECK(plan.objectives[1].target == 70.0);

  REQUIRE(plan.services.size() == 1);
  const ServiceSpec& web = plan.services[0];
  CHECK(web.name == "web");
  CHECK(web.command.argv ==
        std::vector<std::string>{"python3", "-m", "http.server", "--bind", "127.0.0.1", "18080"});
  CHECK(web.command.cwd == "/tmp");
  REQUIRE(web.ready.has_value());
  CHECK(web.ready->name == "web.ready");
  CHECK(web.ready->type == "http");
  CHECK(web.ready->params["url"] == "http://127.0.0.1:18080/");
  CHECK(web.ready_timeout == Millis(10000));
  CHECK(web.restart == RestartPolicy::always);
  CHECK(web.restart_delay == Millis(1000));
  CHECK(plan.service("web") == &web);
  CHECK(plan.service("db") == nullptr);

  CHECK(plan.steady_state.interval == Millis(100));
  CHECK(plan.steady_state.recovered_after == 3);
  CHECK(plan.steady_state.baseline_rounds == 5);
  REQUIRE(plan.steady_state.probes.size() == 1);
  const ProbeSpec& health = plan.steady_state.probes[0];
  CHECK(health.name == "health");
  CHECK(health.type == "http");
  CHECK(health.probe != nullptr);
  CHECK(health.params["timeout"] == 300);
  CHECK(health.params["expect_status"] == 200);
  CHECK(health.where.line == 23);  // the type key
  CHECK(health.where.column == 7);

  REQUIRE(plan.faults.size() == 1);
  const FaultSpec& crash = plan.faults[0];
  CHECK(crash.name == "crash");
  CHECK(crash.type == "process.kill");
  CHECK(crash.at == Millis(2000));
  CHECK(crash.after.empty());
  CHECK_FALSE(crash.duration.has_value());
  REQUIRE(crash.target.has_value());
  CHECK(crash.target->service == "web");
  CHECK(crash.target->describe() == "service web");
  CHECK(crash.params["signal"] == SIGKILL);
  CHECK(crash.fault != nullptr);
  CHECK(crash.fault_type != nullptr);
  CHECK(crash.where.line == 25);

  CHECK(plan.recovery_timeout == Millis(30000));
  CHECK(plan.recovery_observe == Millis(5000));
}

TEST_CASE("the shipped quickstart scenario loads") {
  std::string path = testing::source_path("scenarios/quickstart.yaml");
  PlanLoad result = load_plan_file(path, builtin_registry());
  REQUIRE(result.diagnostics.empty());
  REQUIRE(result.plan.has_value());
  CHECK(result.plan->service("web") != nullptr);
  CHECK_FALSE(result.plan->faults.empty());
}

TEST_CASE("a plan file that cannot be read is one diagnostic without a line") {
  PlanLoad result = load_plan_file("/nonexistent/faultline/plan.yaml", builtin_registry());
  CHECK_FALSE(result.plan.has_value());
  REQUIRE(result.diagnostics.size() == 1);
  CHECK(result.diagnostics[0].where.line == 0);
  CHECK(render_diagnostic(result.diagnostics[0], "")
            .rfind("/nonexistent/faultline/plan.yaml: error: cannot read plan: ", 0) == 0);
}

TEST_CASE("after: resolves to absolute offsets and faults are sorted into firing order") {
  Plan plan = loaded(yaml(R"(
version: 1
name: chain
steady_state:
  probes:
    - tcp: {port: 8080}
faults:
  - name: late
    type: exec
    at: 5s
    params: {inject: [true]}
  - name: pause
    type: exec
    after: crash + 1s
    params: {inject: [true]}
  - name: crash
    type: exec
    at: 2s
    params: {inject: [true]}
  - name: chained
    type: exec
    after: pause+500ms
    params: {inject: [true]}
  - name: with-crash
    type: exec
    after: crash
    params: {inject: [true]}
)"));
  std::vector<std::string> order;
  std::vector<int64_t> offsets;
  for (const auto& fault : plan.faults) {
    order.push_back(fault.name);
    offsets.push_back(fault.at.count());
  }
  // Equal offsets keep the order they were written in.
  CHECK(order == std::vector<std::string>{"crash", "with-crash", "pause", "chained", "late"});
  CHECK(offsets == std::vector<int64_t>{2000, 2000, 3000, 3500, 5000});
  CHECK(plan.faults[2].after == "crash");
  CHECK(plan.faults[3].after == "pause");
  CHECK(plan.faults[0].after.empty());
}

TEST_CASE("defaults fill in what a plan leaves out") {
  Plan plan = loaded(yaml(R"(
version: 1
name: defaults
services:
  api:
    command: ./api --port 9000
steady_state:
  probes:
    - http: {url: "http://127.0.0.1:9000/"}
    - tcp: {port: 9000}
    - exec: {command: [true]}
faults:
  - name: kill
    type: process.kill
    at: 0s
    target: {service: api}
  - name: stop
    type: process.pause
    at: 1s
    duration: 2s
    target: {process: api, all: true, max: 5}
  - name: exec
    type: exec
    at: 3s
    params: {inject: [true]}
)"));
  CHECK(plan.steady_state.interval == Millis(1000));
  CHECK(plan.steady_state.recovered_after == 3);
  CHECK(plan.steady_state.baseline_rounds == 3);
  CHECK(plan.recovery_timeout == Millis(60000));
  CHECK(plan.recovery_observe == Millis(0));
  CHECK(plan.objectives.empty());

  REQUIRE(plan.services.size() == 1);
  const ServiceSpec& api = plan.services[0];
  CHECK(api.command.argv == std::vector<std::string>{"/bin/sh", "-c", "./api --port 9000"});
  CHECK_FALSE(api.ready.has_value());
  CHECK(api.ready_timeout == Millis(10000));
  CHECK(api.restart == RestartPolicy::never);
  CHECK(api.stop_signal == SIGTERM);
  CHECK(api.stop_timeout == Millis(5000));

  REQUIRE(plan.steady_state.probes.size() == 3);
  const ProbeSpec& http = plan.steady_state.probes[0];
  CHECK(http.name == "http");  // unnamed probes are named after their type
  // Defaults are applied and params keep the schema's order; params without a default stay out.
  CHECK(http.params.dump() ==
        R"({"url":"http://127.0.0.1:9000/","method":"GET","expect_status":200,"timeout":1000})");
  CHECK(plan.steady_state.probes[1].params.dump() ==
        R"({"host":"127.0.0.1","port":9000,"timeout":1000})");
  CHECK(plan.steady_state.probes[2].params["expect_exit"] == 0);
  CHECK(plan.steady_state.probes[2].params["timeout"] == 5000);

  REQUIRE(plan.faults.size() == 3);
  CHECK(plan.faults[0].params["signal"] == SIGKILL);
  CHECK_FALSE(plan.faults[0].duration.has_value());
  CHECK(plan.faults[1].duration == Millis(2000));
  REQUIRE(plan.faults[1].target.has_value());
  CHECK(plan.faults[1].target->process == "api");
  CHECK(plan.faults[1].target->all);
  CHECK(plan.faults[1].target->max == 5);
  CHECK(plan.faults[1].target->describe() == "process api (all, at most 5)");
  CHECK(plan.faults[2].params["timeout"] == 30000);
  CHECK_FALSE(plan.faults[2].target.has_value());
}

TEST_CASE("a plan with CRLF line endings loads") {
  std::string text;
  for (char c : kMinimalPlan) {
    if (c == '\n') text += '\r';
    text += c;
  }
  Plan plan = loaded(text);
  CHECK(plan.name == "minimal");
  CHECK(plan.faults.at(0).params["inject"] == Json::array({"sleep", "1"}));
}

TEST_CASE("${var:NAME} takes the vars: default, and --var overrides it") {
  std::string text = yaml(R"(
version: 1
name: vars
vars:
  IVL: 250ms
  PORT: "8080"
  HOST: {default: 127.0.0.1, description: where the api listens}
steady_state:
  interval: ${var:IVL}
  probes:
    - http: {url: "http://${var:HOST}:${var:PORT}/price?$$5"}
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: [echo, "${var:PORT}"]}
)");
  Plan from_defaults = loaded(text);
  CHECK(from_defaults.steady_state.interval == Millis(250));
  CHECK(from_defaults.steady_state.probes.at(0).params["url"] == "http://127.0.0.1:8080/price?$5");
  CHECK(from_defaults.faults.at(0).params["inject"] == Json::array({"echo", "8080"}));

  Plan from_flags = loaded(text, {{"PORT", "9999"}, {"IVL", "2s"}});
  CHECK(from_flags.steady_state.interval == Millis(2000));
  CHECK(from_flags.steady_state.probes.at(0).params["url"] == "http://127.0.0.1:9999/price?$5");
  CHECK(from_flags.faults.at(0).params["inject"] == Json::array({"echo", "9999"}));
  // The file is hashed as written, so the same file has the same hash whatever the vars.
  CHECK(from_flags.sha256 == from_defaults.sha256);
}

TEST_CASE("a var without a default must be given with --var") {
  std::string text = yaml(R"(
version: 1
name: needs-token
vars:
  TOKEN: {secret: true}
steady_state:
  probes:
    - http: {url: "http://127.0.0.1/", headers: {X-Token: "${var:TOKEN}"}}
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: [true]}
)");
  SecretsReset reset;
  CHECK(rendered(text) ==
        "plan.yaml:4:3: error: var 'TOKEN' has no default; pass --var TOKEN=VALUE\n"
        "  TOKEN: {secret: true}\n"
        "  ^\n"
        "plan.yaml:7:59: error: probe 'http' param 'headers' 'X-Token': variable 'TOKEN' has no "
        "value; pass --var TOKEN=VALUE\n"
        "    - http: {url: \"http://127.0.0.1/\", headers: {X-Token: \"${var:TOKEN}\"}}\n"
        "                                                          ^\n");
  Plan plan = loaded(text, {{"TOKEN", "tok-123456"}});
  CHECK(plan.steady_state.probes.at(0).params["headers"]["X-Token"] == "tok-123456");
  // Declared secret: the value given on the command line is redacted everywhere.
  CHECK(redact("sent tok-123456 twice: tok-123456") == "sent [secret] twice: [secret]");
}

TEST_CASE("secret vars are redacted, plain vars are not") {
  SecretsReset reset;
  Plan plan = loaded(yaml(R"(
version: 1
name: secrets
vars:
  PASSWORD: {default: hunter2-pw, secret: true}
  USERNAME: {default: operator-joe, secret: false}
steady_state:
  probes:
    - exec: {command: [login, "${var:USERNAME}", "${var:PASSWORD}"]}
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: [true]}
)"));
  CHECK(plan.steady_state.probes.at(0).params["command"] ==
        Json::array({"login", "operator-joe", "hunter2-pw"}));
  CHECK(redact("login operator-joe hunter2-pw") == "login operator-joe [secret]");
}

TEST_CASE("${env:NAME} takes the value from the environment and registers it as a secret") {
  SecretsReset reset;
  EnvVar token("FAULTLINE_TEST_API_TOKEN", "s3cr3t-from-env");
  CHECK(redact("Bearer s3cr3t-from-env") == "Bearer s3cr3t-from-env");  // not a secret until used
  Plan plan = loaded(yaml(R"(
version: 1
name: env
steady_state:
  probes:
    - http:
        url: "http://127.0.0.1:8080/"
        headers: {Authorization: "Bearer ${env:FAULTLINE_TEST_API_TOKEN}"}
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: [true]}
)"));
  CHECK(plan.steady_state.probes.at(0).params["headers"]["Authorization"] ==
        "Bearer s3cr3t-from-env");
  CHECK(redact("Authorization: Bearer s3cr3t-from-env") == "Authorization: Bearer [secret]");
  CHECK(redact(plan.steady_state.probes.at(0).params.dump()).find("s3cr3t") == std::string::npos);
}

TEST_CASE("an unset environment variable is an error at its use") {
  ::unsetenv("FAULTLINE_TEST_SURELY_UNSET");
  std::string text = kMinimalPlan;
  text.replace(text.find("\"http://127.0.0.1:8080/\""), 24,
               "\"${env:FAULTLINE_TEST_SURELY_UNSET}\"");
  CHECK(rendered(text) ==
        "plan.yaml:5:19: error: probe 'http' param 'url': environment variable "
        "'FAULTLINE_TEST_SURELY_UNSET' is not set\n"
        "    - http: {url: \"${env:FAULTLINE_TEST_SURELY_UNSET}\"}\n"
        "                  ^\n");
}

// --- exact error text -------------------------------------------------------------------

TEST_CASE("an unknown key is reported with a suggestion, the line and a caret") {
  std::string text = yaml(R"(
version: 1
name: typo
steady_state:
  intervl: 1s
  probes:
    - tcp: {port: 80}
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:4:3: error: unknown key 'intervl' in steady_state, did you mean 'interval'?\n"
        "  intervl: 1s\n"
        "  ^\n");
}

TEST_CASE("an unknown top-level key without a close match gets no suggestion") {
  std::string text = kMinimalPlan + "frobnicate: yes\n";
  CHECK(rendered(text) ==
        "plan.yaml:11:1: error: unknown key 'frobnicate' in the plan\n"
        "frobnicate: yes\n"
        "^\n");
}

TEST_CASE("an unknown fault type is reported with the nearest type") {
  std::string text = yaml(R"(
version: 1
name: typo
steady_state:
  probes:
    - tcp: {port: 80}
faults:
  - name: crash
    type: process.kil
    at: 1s
    target: {process: web}
)");
  CHECK(rendered(text) ==
        "plan.yaml:8:11: error: unknown fault type 'process.kil', did you mean 'process.kill'?\n"
        "    type: process.kil\n"
        "          ^\n");
}

TEST_CASE("an unknown probe type is reported with the nearest type") {
  std::string text = yaml(R"(
version: 1
name: typo
steady_state:
  probes:
    - name: health
      htp: {url: "http://127.0.0.1/"}
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:6:7: error: unknown key 'htp' in probe, did you mean 'http'?\n"
        "      htp: {url: \"http://127.0.0.1/\"}\n"
        "      ^\n");
}

TEST_CASE("a probe with no type, or two, says which types there are") {
  std::string text = yaml(R"(
version: 1
name: probes
steady_state:
  probes:
    - name: nothing
    - tcp: {port: 80}
      exec: {command: [true]}
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:5:7: error: a probe needs exactly one type key (exec, http, tcp)\n"
        "    - name: nothing\n"
        "      ^\n"
        "plan.yaml:6:7: error: a probe needs exactly one type key (exec, http, tcp)\n"
        "    - tcp: {port: 80}\n"
        "      ^\n");
}

TEST_CASE("a missing required param names the param, its kind and what it is for") {
  std::string text = yaml(R"(
version: 1
name: params
steady_state:
  probes:
    - http: {timeout: 1s}
faults:
  - name: f
    type: exec
    at: 1s
)");
  CHECK(rendered(text) ==
        "plan.yaml:5:13: error: probe 'http' is missing required param 'url' (string: http:// or "
        "https:// URL)\n"
        "    - http: {timeout: 1s}\n"
        "            ^\n"
        "plan.yaml:7:5: error: fault 'f' is missing required param 'inject' (command: command that "
        "injects the fault; must exit 0)\n"
        "  - name: f\n"
        "    ^\n");
}

TEST_CASE("a list where a single value belongs is a type error") {
  std::string text = yaml(R"(
version: 1
name: [a, b]
steady_state:
  interval: [1s]
  probes:
    - tcp: {port: [80]}
faults:
  - name: f
    type: exec
    at: {seconds: 1}
    params: {inject: true}
)");
  CHECK(rendered(text) ==
        "plan.yaml:2:7: error: plan name must be a single value, not a list\n"
        "name: [a, b]\n"
        "      ^\n"
        "plan.yaml:4:13: error: interval must be a single value, not a list\n"
        "  interval: [1s]\n"
        "            ^\n"
        "plan.yaml:6:19: error: probe 'tcp' param 'port' must be a single value, not a list\n"
        "    - tcp: {port: [80]}\n"
        "                  ^\n"
        "plan.yaml:10:9: error: fault 'f' at must be a single value, not a mapping\n"
        "    at: {seconds: 1}\n"
        "        ^\n");
}

TEST_CASE("bad durations and numbers say what was wrong with them") {
  std::string text = yaml(R"(
version: 1
name: durations
steady_state:
  interval: 10parsecs
  recovered_after: three
  probes:
    - tcp: {port: 80, timeout: 0s}
faults:
  - name: f
    type: exec
    at: 1s
    duration: 0s
    params: {inject: [true]}
objectives: {availability: 101%}
)");
  CHECK(rendered(text) ==
        "plan.yaml:4:13: error: interval: invalid duration '10parsecs': unknown unit (write e.g. "
        "250ms, 2s, 1m30s)\n"
        "  interval: 10parsecs\n"
        "            ^\n"
        "plan.yaml:5:20: error: recovered_after must be a whole number, not 'three'\n"
        "  recovered_after: three\n"
        "                   ^\n"
        "plan.yaml:7:32: error: probe 'tcp': timeout must be positive\n"
        "    - tcp: {port: 80, timeout: 0s}\n"
        "                               ^\n"
        "plan.yaml:12:15: error: fault 'f' duration must be longer than 0s\n"
        "    duration: 0s\n"
        "              ^\n"
        "plan.yaml:14:28: error: availability must be a percentage from 0% to 100%, not '101%'\n"
        "objectives: {availability: 101%}\n"
        "                           ^\n");
}

TEST_CASE("an unsupported plan version is refused") {
  std::string text = kMinimalPlan;
  text.replace(0, 10, "version: 2");
  CHECK(rendered(text) ==
        "plan.yaml:1:10: error: unsupported plan version 2; this faultline reads version 1\n"
        "version: 2\n"
        "         ^\n");
}

TEST_CASE("missing required top-level keys are reported at the start of the plan") {
  CHECK(rendered("version: 1\nname: bare\n") ==
        "plan.yaml:1:1: error: the plan is missing required key 'steady_state'\n"
        "version: 1\n"
        "^\n"
        "plan.yaml:1:1: error: the plan is missing required key 'faults'\n"
        "version: 1\n"
        "^\n");
}

TEST_CASE("duplicate keys are reported at the second one") {
  std::string text = yaml(R"(
version: 1
name: dup
steady_state:
  interval: 1s
  probes:
    - tcp: {port: 80, port: 81}
  interval: 2s
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:6:23: error: duplicate key 'port' in probe 'tcp' params\n"
        "    - tcp: {port: 80, port: 81}\n"
        "                      ^\n"
        "plan.yaml:7:3: error: duplicate key 'interval' in steady_state\n"
        "  interval: 2s\n"
        "  ^\n");
}

TEST_CASE("duplicate fault and probe names are reported") {
  std::string text = yaml(R"(
version: 1
name: dup
steady_state:
  probes:
    - tcp: {port: 80}
    - tcp: {port: 81}
faults:
  - name: crash
    type: exec
    at: 1s
    params: {inject: [true]}
  - name: crash
    type: exec
    at: 2s
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:6:7: error: duplicate probe name 'tcp'\n"
        "    - tcp: {port: 81}\n"
        "      ^\n"
        "plan.yaml:12:11: error: duplicate fault name 'crash'\n"
        "  - name: crash\n"
        "          ^\n");
}

TEST_CASE("a target naming a service the plan does not define is reported with a suggestion") {
  std::string text = yaml(R"(
version: 1
name: targets
services:
  web: {command: [python3, -m, http.server]}
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: crash
    type: process.kill
    at: 1s
    target: {service: webb}
)");
  CHECK(rendered(text) ==
        "plan.yaml:12:23: error: fault 'crash' targets service 'webb', which the plan does not "
        "define, did you mean 'web'?\n"
        "    target: {service: webb}\n"
        "                      ^\n");
}

TEST_CASE("a process fault without a target is refused, and other faults take no target") {
  std::string text = yaml(R"(
version: 1
name: targets
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: crash
    type: process.kill
    at: 1s
  - name: script
    type: exec
    at: 2s
    target: {process: web}
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:7:5: error: fault 'crash' (process.kill) needs a target: {service: NAME}, "
        "{pidfile: PATH} or {process: NAME}\n"
        "  - name: crash\n"
        "    ^\n"
        "plan.yaml:13:5: error: fault 'script': fault type exec takes no target\n"
        "    target: {process: web}\n"
        "    ^\n");
}

TEST_CASE("a target must choose exactly one way to find processes") {
  std::string text = yaml(R"(
version: 1
name: targets
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: both
    type: process.kill
    at: 1s
    target: {process: web, pidfile: /run/web.pid}
  - name: all
    type: process.pause
    at: 1s
    target: {pidfile: /run/web.pid, all: true}
)");
  CHECK(rendered(text) ==
        "plan.yaml:10:13: error: fault 'both' target needs exactly one of service, pidfile or "
        "process\n"
        "    target: {process: web, pidfile: /run/web.pid}\n"
        "            ^\n"
        "plan.yaml:14:13: error: fault 'all' target: 'all' goes with 'process'\n"
        "    target: {pidfile: /run/web.pid, all: true}\n"
        "            ^\n");
}

TEST_CASE("after: naming an unknown fault is reported with a suggestion") {
  std::string text = yaml(R"(
version: 1
name: after
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: crash
    type: exec
    at: 1s
    params: {inject: [true]}
  - name: pause
    type: exec
    after: crsh + 1s
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:13:12: error: fault 'pause' runs after unknown fault 'crsh', did you mean "
        "'crash'?\n"
        "    after: crsh + 1s\n"
        "           ^\n");
}

TEST_CASE("after: never suggests the fault itself") {
  std::string text = yaml(R"(
version: 1
name: after
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: b
    type: exec
    after: a
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:9:12: error: fault 'b' runs after unknown fault 'a'\n"
        "    after: a\n"
        "           ^\n");
}

TEST_CASE("an after: cycle is reported once, at a fault in the cycle") {
  std::string text = yaml(R"(
version: 1
name: cycle
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: one
    type: exec
    after: three + 1s
    params: {inject: [true]}
  - name: two
    type: exec
    after: one
    params: {inject: [true]}
  - name: three
    type: exec
    after: two + 2s
    params: {inject: [true]}
  - name: self
    type: exec
    after: self
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:9:12: error: fault 'one' is part of an 'after' cycle\n"
        "    after: three + 1s\n"
        "           ^\n"
        "plan.yaml:21:12: error: fault 'self' is part of an 'after' cycle\n"
        "    after: self\n"
        "           ^\n");
}

TEST_CASE("a fault needs exactly one of at and after, and after has one form") {
  std::string text = yaml(R"(
version: 1
name: when
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: neither
    type: exec
    params: {inject: [true]}
  - name: both
    type: exec
    at: 1s
    after: neither
    params: {inject: [true]}
  - name: odd
    type: exec
    after: neither - 1s
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:7:5: error: fault 'neither' needs exactly one of 'at' (e.g. at: 2s) or 'after' "
        "(e.g. after: other + 1s)\n"
        "  - name: neither\n"
        "    ^\n"
        "plan.yaml:10:5: error: fault 'both' needs exactly one of 'at' (e.g. at: 2s) or 'after' "
        "(e.g. after: other + 1s)\n"
        "  - name: both\n"
        "    ^\n"
        "plan.yaml:17:12: error: fault 'odd' after must be 'FAULT' or 'FAULT + DURATION', not "
        "'neither - 1s'\n"
        "    after: neither - 1s\n"
        "           ^\n");
}

TEST_CASE("errors in a fault that others run after are not repeated at the others") {
  std::string text = yaml(R"(
version: 1
name: after
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: broken
    type: exec
    at: soon
    params: {inject: [true]}
  - name: next
    type: exec
    after: broken + 1s
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:9:9: error: fault 'broken' at: invalid duration 'soon': expected a number "
        "(write e.g. 250ms, 2s, 1m30s)\n"
        "    at: soon\n"
        "        ^\n");
}

TEST_CASE("a duplicate fault name does not move the first fault's after: error") {
  std::string text = yaml(R"(
version: 1
name: dup
steady_state:
  probes:
    - tcp: {port: 8000}
faults:
  - name: g
    type: exec
    after: nowhere
    params: {inject: [true]}
  - name: g
    type: exec
    after: elsewhere
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:9:12: error: fault 'g' runs after unknown fault 'nowhere'\n"
        "    after: nowhere\n"
        "           ^\n"
        "plan.yaml:11:11: error: duplicate fault name 'g'\n"
        "  - name: g\n"
        "          ^\n");
}

TEST_CASE("an rpo objective is refused until there is a write ledger") {
  std::string text = kMinimalPlan + "objectives:\n  rto: 5s\n  rpo: 1s\n";
  CHECK(rendered(text) ==
        "plan.yaml:13:3: error: rpo needs a write-ledger workload, which this faultline does not "
        "have yet; remove it or measure rto/availability\n"
        "  rpo: 1s\n"
        "  ^\n");
}

TEST_CASE("an undefined variable is reported where it is used, with a suggestion") {
  std::string text = yaml(R"(
version: 1
name: vars
vars:
  PORT: "8080"
steady_state:
  probes:
    - tcp: {port: "${var:PRT}"}
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: ["${oops}"]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:7:19: error: probe 'tcp' param 'port': variable 'PRT' is not defined (declare "
        "it under vars: or pass --var PRT=VALUE), did you mean 'PORT'?\n"
        "    - tcp: {port: \"${var:PRT}\"}\n"
        "                  ^\n"
        "plan.yaml:12:23: error: fault 'f' param 'inject' argument: unknown substitution "
        "'${oops}'; use ${env:NAME} or ${var:NAME}\n"
        "    params: {inject: [\"${oops}\"]}\n"
        "                      ^\n");
}

TEST_CASE("a --var the plan does not declare is an error without a line") {
  std::string text = yaml(R"(
version: 1
name: vars
vars:
  PORT: "8080"
steady_state:
  probes:
    - tcp: {port: "${var:PORT}"}
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: [true]}
)");
  CHECK(rendered(text, {{"PRT", "9000"}}) ==
        "plan.yaml: error: --var PRT is not declared under vars:, did you mean 'PORT'?\n");
  CHECK(rendered(kMinimalPlan, {{"PORT", "9000"}}) ==
        "plan.yaml: error: --var PORT is not declared under vars:\n");
}

TEST_CASE("the caret lines up under multi-byte characters, and columns count bytes") {
  std::string text = yaml(R"(
version: 1
name: unicode
description: "Ünïcödé"
steady_state: {"é": 1, probes: [{tcp: {port: 80}}]}
faults:
  - name: f
    type: exec
    at: 1s
    params: {inject: [true]}
)");
  CHECK(rendered(text) ==
        "plan.yaml:4:16: error: unknown key 'é' in steady_state\n"
        "steady_state: {\"é\": 1, probes: [{tcp: {port: 80}}]}\n"
        "               ^\n");
  std::string after = yaml(R"(
version: 1
name: unicode
steady_state: {"é": 1, intervl: 1s, probes: [{tcp: {port: 80}}]}
)");
  std::string out = rendered(after);
  CHECK(
      out.find(
          "plan.yaml:3:25: error: unknown key 'intervl' in steady_state, did you mean 'interval'?\n"
          "steady_state: {\"é\": 1, intervl: 1s, probes: [{tcp: {port: 80}}]}\n"
          "                       ^\n") != std::string::npos);
}

TEST_CASE("a very long message keeps both of its ends") {
  std::string text = "version: 1\nname: " + std::string(5000, 'x') + "!\n";
  PlanLoad result = load(text);
  REQUIRE_FALSE(result.diagnostics.empty());
  const Diagnostic& name = result.diagnostics.back();
  CHECK(name.where.line == 2);
  std::string out = render_diagnostic(name, text);
  CHECK(out.size() < 400);
  CHECK(out.rfind("plan.yaml:2:7: error: plan name 'xxx", 0) == 0);
  CHECK(out.find("[...]") != std::string::npos);
  CHECK(out.find("!' must be letters, digits, '.', '_' or '-' (up to 128)\n") != std::string::npos);
}

// --- every error at once ----------------------------------------------------------------

TEST_CASE("every error in a file is reported at once, sorted by line") {
  std::string text = yaml(R"(
version: 1
name: many mistakes
objectives: {rto: 5 seconds}
steady_state:
  intervl: 100ms
  probes:
    - name: health
      htp: {url: "http://127.0.0.1:18082/"}
faults:
  - name: crash
    type: process.kil
    at: 2s
    target: {service: web}
  - name: pause
    type: process.pause
    after: crash + 1s
    duration: soon
recovery: {timeout: 0s, observe: -1s}
)");
  PlanLoad result = load(text);
  CHECK_FALSE(result.plan.has_value());
  std::vector<int> lines;
  for (const auto& diagnostic : result.diagnostics) {
    CHECK(diagnostic.where.file == "plan.yaml");
    CHECK(diagnostic.where.column >= 1);
    lines.push_back(diagnostic.where.line);
  }
  // name, rto, intervl, htp, process.kil, service web, pause's missing target,
  // duration, recovery timeout and observe.
  CHECK(lines == std::vector<int>{2, 3, 5, 8, 11, 13, 14, 17, 18, 18});
  std::string out;
  for (const auto& diagnostic : result.diagnostics) out += render_diagnostic(diagnostic, text);
  CHECK(out.find("plan.yaml:2:7: error: plan name 'many mistakes' must be letters") !=
        std::string::npos);
  CHECK(out.find("plan.yaml:3:19: error: rto: invalid duration '5 seconds'") != std::string::npos);
  CHECK(out.find("plan.yaml:11:11: error: unknown fault type 'process.kil', did you mean "
                 "'process.kill'?") != std::string::npos);
  CHECK(out.find("plan.yaml:13:23: error: fault 'crash' targets service 'web', which the plan does "
                 "not define") != std::string::npos);
  CHECK(out.find("plan.yaml:18:21: error: recovery timeout must be longer than 0s") !=
        std::string::npos);
}

TEST_CASE("a flood of errors stops at a hundred and counts the rest") {
  std::string text = "version: 1\nname: flood\n";
  for (int i = 0; i < 500; ++i) text += "unknown_" + std::to_string(i) + ": 1\n";
  PlanLoad result = load(text);
  REQUIRE(result.diagnostics.size() == 101);
  CHECK(result.diagnostics[0].message == "the plan is missing required key 'steady_state'");
  CHECK(result.diagnostics[2].message == "unknown key 'unknown_0' in the plan");
  CHECK(result.diagnostics[99].message == "unknown key 'unknown_97' in the plan");
  for (size_t i = 1; i < 100; ++i)
    CHECK(result.diagnostics[i - 1].where.line <= result.diagnostics[i].where.line);
  CHECK(render_diagnostic(result.diagnostics[100], text) ==
        "plan.yaml: error: and 402 more errors, not shown\n");
}

// --- performance ------------------------------------------------------------------------

TEST_CASE("a plan of 1000 faults loads in well under a second") {
  std::string text = yaml(R"(
version: 1
name: thousand
steady_state:
  interval: 250ms
  probes:
    - name: alive
      exec: {command: [true], timeout: 1s}
faults:
)");
  // Written in reverse, so that the loader also has to sort them.
  for (int i = 999; i >= 0; --i) {
    text += "  - name: fault-" + std::to_string(i) +
            "\n    type: exec\n    at: " + std::to_string(i * 10) +
            "ms\n    params: {inject: [true], rollback: [\"true\"], timeout: 5s}\n";
  }
  auto start = std::chrono::steady_clock::now();
  PlanLoad result = load(text);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 1.0);
  REQUIRE(result.diagnostics.empty());
  REQUIRE(result.plan.has_value());
  REQUIRE(result.plan->faults.size() == 1000);
  for (int i = 0; i < 1000; ++i) {
    CHECK(result.plan->faults[i].name == "fault-" + std::to_string(i));
    CHECK(result.plan->faults[i].at == Millis(i * 10));
  }
}

// The loader: a plan's sections read into a Plan, or every error in the file at once.
#include <catch2/catch.hpp>
#include <csignal>

#include "tests/support/plan_loading.h"

using namespace faultline;
using namespace faultline::testing;

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
  CHECK(render_diagnostic(result.diagnostics[0], "") ==
        "/nonexistent/faultline/plan.yaml: error: cannot open plan "
        "/nonexistent/faultline/plan.yaml: No such file or directory\n");
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
        "plan.yaml:5:7: error: a probe needs exactly one type key (exec, http, lua, redis, sql, "
        "tcp)\n"
        "    - name: nothing\n"
        "      ^\n"
        "plan.yaml:6:7: error: a probe needs exactly one type key (exec, http, lua, redis, sql, "
        "tcp)\n"
        "    - tcp: {port: 80}\n"
        "      ^\n");
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

TEST_CASE("an rpo objective is refused without a workload to measure it from") {
  std::string text = kMinimalPlan + "objectives:\n  rto: 5s\n  rpo: 1s\n";
  CHECK(rendered(text) ==
        "plan.yaml:13:3: error: rpo is measured from a write ledger: add a workload: section, or "
        "remove this objective\n"
        "  rpo: 1s\n"
        "  ^\n");
}

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
  const double start = thread_cpu_seconds();
  PlanLoad result = load(text);
  CHECK(thread_cpu_seconds() - start < 1.0);
  REQUIRE(result.diagnostics.empty());
  REQUIRE(result.plan.has_value());
  REQUIRE(result.plan->faults.size() == 1000);
  for (int i = 0; i < 1000; ++i) {
    CHECK(result.plan->faults[i].name == "fault-" + std::to_string(i));
    CHECK(result.plan->faults[i].at == Millis(i * 10));
  }
}

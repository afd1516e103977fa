// ${var:NAME} and ${env:NAME} in plan values, --var, and secrets.
#include <catch2/catch.hpp>

#include "tests/support/plan_loading.h"

using namespace faultline;
using namespace faultline::testing;

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

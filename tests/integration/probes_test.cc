// The built-in probes against real servers on loopback.
#include <signal.h>

#include <catch2/catch.hpp>

#include "runner/runner.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// Configures a probe the way the plan loader would (schema defaults included).
ProbeOutcome check(const std::string& type, Json params) {
  const ProbeType* probe_type = builtin_registry().probe_type(type);
  REQUIRE(probe_type != nullptr);
  for (const auto& spec : probe_type->schema().params) {
    if (!params.contains(spec.name) && !spec.default_value.is_null())
      params[spec.name] = spec.default_value;
  }
  auto probe = probe_type->configure(Params(params));
  REQUIRE(probe.ok());
  auto target = make_local_target();
  return (*probe)->check(*target);
}

}  // namespace

TEST_CASE("the http probe checks status and body, and fails on timeouts") {
  TempDir dir;
  dir.write("hello.txt", "hello from faultline\n");
  int port = free_port();
  auto server = start_http_server(port, dir);
  std::string base = "http://127.0.0.1:" + std::to_string(port);

  CHECK(check("http", {{"url", base + "/hello.txt"}}).ok);
  CHECK(check("http", {{"url", base + "/hello.txt"}, {"method", "HEAD"}}).ok);
  CHECK(check("http", {{"url", base + "/hello.txt"}, {"expect_body", "from fault"}}).ok);
  ProbeOutcome body = check("http", {{"url", base + "/hello.txt"}, {"expect_body", "^goodbye"}});
  CHECK_FALSE(body.ok);
  CHECK(body.detail == "status 200, body does not match");
  ProbeOutcome missing = check("http", {{"url", base + "/missing"}});
  CHECK_FALSE(missing.ok);
  CHECK(missing.detail == "status 404, expected 200");
  CHECK(check("http", {{"url", base + "/missing"}, {"expect_status", 404}}).ok);

  kill(server->pid(), SIGSTOP);
  ProbeOutcome frozen = check("http", {{"url", base + "/hello.txt"}, {"timeout", 200}});
  kill(server->pid(), SIGCONT);
  CHECK_FALSE(frozen.ok);
  CHECK(frozen.detail.find("Timeout") != std::string::npos);
}

TEST_CASE("the http probe reports a refused connection") {
  ProbeOutcome refused =
      check("http", {{"url", "http://127.0.0.1:" + std::to_string(free_port()) + "/"}});
  CHECK_FALSE(refused.ok);
  CHECK(refused.detail == "Couldn't connect to server");
}

TEST_CASE("the tcp probe passes on an open port and fails on a closed one") {
  TempDir dir;
  int port = free_port();
  auto server = start_http_server(port, dir);
  CHECK(check("tcp", {{"port", port}}).ok);
  ProbeOutcome closed = check("tcp", {{"port", free_port()}});
  CHECK_FALSE(closed.ok);
  CHECK(closed.detail.find("Connection refused") != std::string::npos);
}

TEST_CASE("the exec probe checks exit code, stdout and its timeout") {
  CHECK(check("exec", {{"command", {"true"}}}).ok);
  ProbeOutcome failed = check("exec", {{"command", {"/bin/sh", "-c", "echo broken >&2; exit 3"}}});
  CHECK_FALSE(failed.ok);
  CHECK(failed.detail == "exit 3: broken ");
  CHECK(check("exec", {{"command", {"/bin/sh", "-c", "exit 3"}}, {"expect_exit", 3}}).ok);
  CHECK(check("exec", {{"command", {"echo", "ready: yes"}}, {"expect_stdout", "ready: (yes|ok)"}})
            .ok);
  CHECK_FALSE(
      check("exec", {{"command", {"echo", "ready: no"}}, {"expect_stdout", "ready: (yes|ok)"}}).ok);
  MonoTime started = MonoClock::now();
  ProbeOutcome slow = check("exec", {{"command", {"sleep", "10"}}, {"timeout", 200}});
  CHECK_FALSE(slow.ok);
  CHECK(slow.detail == "timed out after 200ms");
  CHECK(MonoClock::now() - started < Millis(2000));
  ProbeOutcome missing = check("exec", {{"command", {"/nonexistent/program"}}});
  CHECK_FALSE(missing.ok);
  CHECK(missing.detail.find("No such file or directory") != std::string::npos);
}

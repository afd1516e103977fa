// Proxy faults in plans: the plan's own proxies (network.latency, network.down, ...)
// and network.toxiproxy against `faultline proxy`, with real HTTP traffic through them,
// rolled back by the runner, and by recover after a SIGKILL.
#include <signal.h>

#include <catch2/catch.hpp>
#include <thread>

#include "faults/network/proxy/proxy_server.h"
#include "runner/os/http_client.h"
#include "runner/os/net.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

std::string proxies(int listen, int upstream) {
  return "proxies:\n  api: {listen: \"127.0.0.1:" + std::to_string(listen) +
         "\", upstream: \"127.0.0.1:" + std::to_string(upstream) + "\"}\n";
}

std::string probe_through(int port, const std::string& timeout = "1s") {
  return "    - {name: through-proxy, http: {url: \"http://127.0.0.1:" + std::to_string(port) +
         "/\", timeout: " + timeout + "}}\n";
}

// The latencies of passing samples, and how many samples failed, in fault 0's window
// and after it.
struct Window {
  double slowest_during = 0, slowest_after = 0;
  int failed_during = 0, failed_after = 0;
};

Window window_of(const Json& record) {
  Window window;
  double from = record["faults"][0]["injected_at_ms"];
  double to = record["faults"][0]["rolled_back_at_ms"];
  for (const auto& sample : record["probes"][0]["samples"]) {
    double started = sample["started_ms"], ended = sample["t_ms"];
    bool during = started > from && ended < to;
    bool after = started > to + 20;
    double latency = sample["latency_ms"];
    bool ok = sample["ok"];
    if (during)
      ok ? void(window.slowest_during = std::max(window.slowest_during, latency))
         : void(++window.failed_during);
    if (after)
      ok ? void(window.slowest_after = std::max(window.slowest_after, latency))
         : void(++window.failed_after);
  }
  return window;
}

bool tcp_probe_ok(int port) { return tcp_connect("127.0.0.1", port, Millis(300)).ok(); }

Json get_json(const std::string& url) {
  HttpRequest request;
  request.url = url;
  auto response = http_request(request);
  REQUIRE(response.ok());
  return Json::parse(response->body, nullptr, false);
}

long post_json(const std::string& url, const Json& body) {
  HttpRequest request;
  request.method = "POST";
  request.url = url;
  request.body = body.dump();
  auto response = http_request(request);
  REQUIRE(response.ok());
  return response->status;
}

// `faultline proxy` as a Toxiproxy server on a free port, with one proxy "web" from
// 127.0.0.1:`listen` to `upstream`.
struct ToxiproxyServer {
  std::unique_ptr<OwnedProcess> process;
  std::string api;
  Json toxics() const { return get_json(api + "/proxies/web/toxics"); }
};

ToxiproxyServer start_toxiproxy(const TempDir& dir, int listen, const std::string& upstream) {
  int api_port = free_port();
  ToxiproxyServer server;
  server.process = std::make_unique<OwnedProcess>(
      Command{{FAULTLINE_BINARY, "proxy", "--port", std::to_string(api_port)}},
      dir.file("toxiproxy.log"));
  server.api = "http://127.0.0.1:" + std::to_string(api_port);
  REQUIRE(eventually([&] { return tcp_probe_ok(api_port); }, Millis(10000)));
  REQUIRE(post_json(server.api + "/proxies", Json{{"name", "web"},
                                                  {"listen", "127.0.0.1:" + std::to_string(listen)},
                                                  {"upstream", upstream}}) == 201);
  return server;
}

}  // namespace

TEST_CASE("network.latency on the plan's proxy slows real requests, then goes with rollback") {
  TempDir dir;
  int backend = free_port(), listen = free_port();
  auto server = start_http_fixture(backend, dir);
  std::string plan = dir.write(
      "plan.yaml", fast_plan("proxy-latency",
                             "  - {name: slow, type: network.latency, at: 200ms, duration: 1s, "
                             "params: {proxy: api, latency: 300ms}}\n",
                             probe_through(listen), proxies(listen, backend)));
  CliRun run = run_drill_cli({"run", plan, "--records", dir.file("records")}, dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  Json record = only_record(dir.file("records"));
  CHECK(record["faults"][0]["rollback"]["outcome"] == "undone");
  Window window = window_of(record);
  CHECK(window.slowest_during >= 300);
  CHECK(window.slowest_after < 150);
  CHECK(window.failed_after == 0);
  // The proxy went with the runner: its port is free again.
  CHECK_FALSE(tcp_probe_ok(listen));
}

TEST_CASE("network.down refuses connections through the plan's proxy until rolled back") {
  TempDir dir;
  int backend = free_port(), listen = free_port();
  auto server = start_http_fixture(backend, dir);
  std::string plan = dir.write(
      "plan.yaml", fast_plan("proxy-down",
                             "  - {name: cut, type: network.down, at: 200ms, duration: 500ms, "
                             "params: {proxy: api}}\n",
                             probe_through(listen, "300ms"), proxies(listen, backend)));
  CliRun run = run_drill_cli({"run", plan, "--records", dir.file("records")}, dir.file("home"));
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  Window window = window_of(only_record(dir.file("records")));
  CHECK(window.failed_during >= 3);
  CHECK(window.failed_after == 0);
}

TEST_CASE("a proxy fault naming a proxy the plan does not declare is a file:line:col error") {
  TempDir dir;
  std::string plan =
      dir.write("plan.yaml", fast_plan("proxy-unknown",
                                       "  - {name: slow, type: network.latency, at: 1s, "
                                       "params: {proxy: apj, latency: 1s}}\n",
                                       kAlwaysPasses, proxies(18001, 18002)));
  CliRun run = run_cli({"validate", plan});
  CHECK(run.exit_code == 2);
  CHECK(mentions(run.err + run.out,
                 plan + ":12:65: error: fault 'slow': unknown proxy 'apj', did you mean 'api'?"));
  std::string bad = dir.write(
      "bad.yaml",
      fast_plan("proxy-bad",
                "  - {name: slow, type: network.latency, at: 1s, params: {proxy: api}}\n"
                "  - {name: cut, type: network.slicer, at: 1s, params: {proxy: api, "
                "average_size: 10, size_variation: 20}}\n"
                "  - {name: odd, type: network.toxiproxy, at: 1s, params: {api: "
                "\"http://x:1/p\", proxy: a, toxic: latency, latency: 1s}}\n"
                "  - {name: mix, type: network.toxiproxy, at: 1s, params: {api: "
                "\"http://127.0.0.1:8474\", proxy: a, toxic: timeout, rate: 5}}\n",
                kAlwaysPasses, "proxies:\n  api: {listen: \"127.0.0.1:0\", upstream: \"h:1\"}\n"));
  CliRun refused = run_cli({"validate", bad});
  INFO(refused.out << refused.err);
  CHECK(refused.exit_code == 2);
  std::string said = refused.out + refused.err;
  CHECK(mentions(said, "is not HOST:PORT with a port from 1 to 65535"));
  CHECK(mentions(said, "missing required param 'latency'"));
  CHECK(mentions(said, "size_variation must not exceed average_size"));
  CHECK(mentions(said, "is not a Toxiproxy API base URL"));
  CHECK(mentions(said, "'rate' is not a param of toxic timeout"));
}

TEST_CASE(
    "network.toxiproxy adds a named toxic on a Toxiproxy server, which rollback and "
    "recover remove") {
  TempDir dir;
  int backend = free_port(), listen = free_port();
  auto server = start_http_fixture(backend, dir);
  ToxiproxyServer toxiproxy = start_toxiproxy(dir, listen, "127.0.0.1:" + std::to_string(backend));
  const std::string& api = toxiproxy.api;
  auto toxics = [&] { return toxiproxy.toxics(); };
  auto plan_with = [&](const std::string& duration) {
    return fast_plan("toxiproxy-drill",
                     "  - {name: slow, type: network.toxiproxy, at: 200ms, duration: " + duration +
                         ", params: {api: \"" + api +
                         "\", proxy: web, toxic: latency, latency: 300ms}}\n",
                     probe_through(listen));
  };
  SECTION("the runner's rollback") {
    std::string plan = dir.write("plan.yaml", plan_with("800ms"));
    CliRun run = run_drill_cli({"run", plan, "--records", dir.file("records")}, dir.file("home"));
    INFO(run.out << run.err);
    CHECK(run.exit_code == 0);
    CHECK(window_of(only_record(dir.file("records"))).slowest_during >= 300);
    CHECK(toxics().empty());
  }
  SECTION("recover after a SIGKILL") {
    std::string plan = dir.write("plan.yaml", plan_with("60s"));
    auto runner = start_faultline({"run", plan, "--records", dir.file("records")}, dir.file("home"),
                                  dir.file("runner.log"));
    REQUIRE(eventually([&] { return toxics().size() == 1; }, Millis(15000)));
    Json toxic = toxics()[0];
    CHECK(toxic["type"] == "latency");
    CHECK(toxic["attributes"]["latency"] == 300);
    CHECK(mentions(toxic["name"], "_slow"));
    ::kill(runner->pid(), SIGKILL);
    runner->wait(Millis(10000));
    CHECK(toxics().size() == 1);
    CliRun recover = run_drill_cli({"recover"}, dir.file("home"));
    INFO(recover.out << recover.err);
    CHECK(recover.exit_code == 0);
    CHECK(mentions(recover.out, "undid fault/slow"));
    CHECK(toxics().empty());
  }
}

TEST_CASE(
    "a SIGKILLed runner takes its proxies with it: clients are refused, recover says the "
    "toxic is gone") {
  TempDir dir;
  int backend = free_port(), listen = free_port();
  auto server = start_http_fixture(backend, dir);
  std::string plan = dir.write(
      "plan.yaml", fast_plan("proxy-killed",
                             "  - {name: slow, type: network.latency, at: 100ms, duration: 60s, "
                             "params: {proxy: api, latency: 50ms}}\n",
                             probe_through(listen), proxies(listen, backend)));
  auto runner = start_faultline({"run", plan, "--records", dir.file("records")}, dir.file("home"),
                                dir.file("runner.log"));
  REQUIRE(eventually([&] { return file_contains(dir.file("runner.log"), "inject slow"); },
                     Millis(15000)));
  ::kill(runner->pid(), SIGKILL);
  runner->wait(Millis(10000));
  CHECK_FALSE(tcp_probe_ok(listen));
  CliRun recover = run_drill_cli({"recover"}, dir.file("home"));
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 0);
  CHECK(mentions(recover.out, "fault/slow was already gone"));
}

TEST_CASE(
    "network.toxiproxy whose server cannot be reached at rollback: exit 4 names the toxic left, "
    "the journal keeps it for recover") {
  TempDir dir;
  ToxiproxyServer toxiproxy = start_toxiproxy(dir, free_port(), "127.0.0.1:1");
  const std::string& api = toxiproxy.api;
  auto toxics = [&] { return toxiproxy.toxics(); };
  // The drill reaches the server at `drill_api`; the toxic is left for 2 s.
  auto run_drill = [&](const std::string& drill_api) {
    std::string plan =
        dir.write("plan.yaml",
                  fast_plan("toxiproxy-unreachable",
                            "  - {name: slow, type: network.toxiproxy, at: 100ms, duration: 2s, "
                            "params: {api: \"" +
                                drill_api + "\", proxy: web, toxic: latency, latency: 300ms}}\n"));
    auto runner = start_faultline({"run", plan, "--records", dir.file("records")}, dir.file("home"),
                                  dir.file("runner.log"));
    REQUIRE(eventually([&] { return toxics().size() == 1; }, Millis(15000)));
    return runner;
  };
  auto check_left_faulted = [&](int status, const std::string& drill_api,
                                const std::string& toxic) {
    std::string said = text_of(dir.file("runner.log"));
    INFO(said);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 4);
    CHECK(mentions(said, "LEFT FAULTED: fault 'slow' (network.toxiproxy)"));
    CHECK(mentions(said, "DELETE " + drill_api + "/proxies/web/toxics/" + toxic));
    CHECK(mentions(said, "faultline recover"));
    CHECK(only_record(dir.file("records"))["exit_code"] == 4);
  };

  SECTION("its address refuses connections: recover removes the toxic once it is back") {
    // The drill reaches the server through a relay (a proxy of our own), which is
    // disabled before the rollback: the DELETE never arrives.
    auto relay = proxy::ProxyServer::start();
    REQUIRE(relay.ok());
    int relay_port = free_port();
    REQUIRE((*relay)
                ->create_proxy(Json{{"name", "api"},
                                    {"listen", "127.0.0.1:" + std::to_string(relay_port)},
                                    {"upstream", api.substr(std::string("http://").size())}})
                .ok());
    std::string drill_api = "http://127.0.0.1:" + std::to_string(relay_port);
    auto runner = run_drill(drill_api);
    std::string toxic = toxics()[0]["name"];
    REQUIRE((*relay)->update_proxy("api", Json{{"enabled", false}}).ok());
    check_left_faulted(runner->wait(Millis(60000)), drill_api, toxic);
    CHECK(toxics().size() == 1);
    CliRun early = run_drill_cli({"recover"}, dir.file("home"));
    INFO(early.out << early.err);
    CHECK(early.exit_code != 0);  // still unreachable: the journal keeps the entry
    CHECK(toxics().size() == 1);
    REQUIRE((*relay)->update_proxy("api", Json{{"enabled", true}}).ok());
    CliRun recover = run_drill_cli({"recover"}, dir.file("home"));
    INFO(recover.out << recover.err);
    CHECK(recover.exit_code == 0);
    CHECK(mentions(recover.out, "undid fault/slow"));
    CHECK(toxics().empty());
  }

  SECTION("the server is stopped (SIGSTOP): the DELETE it had accepted runs once it resumes") {
    auto runner = run_drill(api);
    std::string toxic = toxics()[0]["name"];
    // Its socket still accepts: the request waits there and the rollback times out.
    ::kill(toxiproxy.process->pid(), SIGSTOP);
    int status = runner->wait(Millis(60000));
    ::kill(toxiproxy.process->pid(), SIGCONT);
    check_left_faulted(status, api, toxic);
    // Resumed, it reads the request that timed out and removes the toxic after all;
    // recover then finds nothing left, and says so.
    CHECK(eventually([&] { return toxics().empty(); }, Millis(5000)));
    CliRun recover = run_drill_cli({"recover"}, dir.file("home"));
    INFO(recover.out << recover.err);
    CHECK(recover.exit_code == 0);
    CHECK(mentions(recover.out, "fault/slow was already gone"));
  }
}

// `faultline proxy` driven over HTTP as a Toxiproxy client would, with real traffic
// through its proxies to loopback upstreams.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "runner/os/http_client.h"
#include "tests/support/loopback.h"
#include "tests/support/test_support.h"

namespace faultline::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

struct ApiAnswer {
  long status = 0;
  Json body;
  std::string text;
};

class ProxyCli {
 public:
  explicit ProxyCli(const TempDir& dir, std::vector<std::string> extra = {}) {
    port_ = free_port();
    std::vector<std::string> args = {"proxy", "--port", std::to_string(port_)};
    args.insert(args.end(), extra.begin(), extra.end());
    log_ = dir.file("proxy.log");
    process_ = start_cli(args, log_);
    bool up = eventually([&] { return call("GET", "/version").status == 200; }, Millis(10000));
    INFO(text_of(log_));
    REQUIRE(up);
  }

  ApiAnswer call(const std::string& method, const std::string& path, const std::string& body = "",
                 std::map<std::string, std::string> headers = {}) {
    HttpRequest request;
    request.method = method;
    request.url = "http://127.0.0.1:" + std::to_string(port_) + path;
    request.body = body;
    request.headers = std::move(headers);
    if (!body.empty()) request.headers["Content-Type"] = "application/json";
    request.timeout = Millis(5000);
    auto response = http_request(request);
    if (!response) return {};
    ApiAnswer answer{response->status, Json::parse(response->body, nullptr, false), response->body};
    return answer;
  }
  ApiAnswer call(const std::string& method, const std::string& path, const Json& body) {
    return call(method, path, body.dump());
  }

  OwnedProcess& process() { return *process_; }
  int port() const { return port_; }
  const std::string& log() const { return log_; }

 private:
  int port_ = 0;
  std::string log_;
  std::unique_ptr<OwnedProcess> process_;
};

int port_of(const Json& proxy) {
  std::string listen = proxy["listen"].get<std::string>();
  return std::stoi(listen.substr(listen.rfind(':') + 1));
}

double round_trip_ms(LoopbackClient& client, const std::string& message) {
  auto start = Clock::now();
  REQUIRE(client.send_all(message));
  auto echoed = client.receive(message.size(), milliseconds(5000));
  REQUIRE(echoed.has_value());
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

TEST_CASE("faultline proxy serves the Toxiproxy API, and its toxics act on real traffic",
          "[proxy][api]") {
  TempDir dir;
  LoopbackServer echo(LoopbackServer::Mode::echo);
  ProxyCli api(dir);
  CHECK(api.call("GET", "/version").body["version"].is_string());

  auto created =
      api.call("POST", "/proxies",
               Json{{"name", "redis"}, {"listen", "127.0.0.1:0"}, {"upstream", echo.address()}});
  REQUIRE(created.status == 201);
  CHECK(created.body["enabled"] == true);
  CHECK(created.body["toxics"] == Json::array());
  int port = port_of(created.body);
  CHECK(port > 0);
  CHECK(api.call("GET", "/proxies").body["redis"]["upstream"] == echo.address());
  CHECK(
      api.call("POST", "/proxies", Json{{"name", "redis"}, {"upstream", echo.address()}}).status ==
      409);

  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  CHECK(round_trip_ms(client, "PING") < 100);

  // A toxic with Toxiproxy's defaults, live on the open connection.
  auto toxic = api.call("POST", "/proxies/redis/toxics",
                        Json{{"type", "latency"}, {"attributes", {{"latency", 200}}}});
  REQUIRE(toxic.status == 200);
  CHECK(toxic.body["name"] == "latency_downstream");
  CHECK(toxic.body["stream"] == "downstream");
  CHECK(toxic.body["toxicity"] == 1.0);
  double slow = round_trip_ms(client, "PING");
  CHECK(slow >= 199);
  CHECK(slow < 350);
  CHECK(api.call("POST", "/proxies/redis/toxics", Json{{"type", "latency"}}).status == 409);
  auto patched = api.call("PATCH", "/proxies/redis/toxics/latency_downstream",
                          Json{{"attributes", {{"latency", 50}}}});
  REQUIRE(patched.status == 200);
  CHECK(patched.body["attributes"]["latency"] == 50);
  CHECK(api.call("GET", "/proxies/redis/toxics").body.size() == 1);
  CHECK(api.call("DELETE", "/proxies/redis/toxics/latency_downstream").status == 204);
  CHECK(round_trip_ms(client, "PING") < 100);

  // Errors as Toxiproxy answers them.
  CHECK(api.call("GET", "/proxies/nope").status == 404);
  CHECK(api.call("GET", "/proxies/nope").body["status"] == 404);
  CHECK(api.call("DELETE", "/proxies/redis/toxics/nope").status == 404);
  CHECK(api.call("POST", "/proxies/redis/toxics", std::string("{not json")).status == 400);
  CHECK(api.call("POST", "/proxies/redis/toxics",
                 Json{{"type", "latency"}, {"attributes", {{"latency", -5}}}})
            .status == 400);
  CHECK(api.call("POST", "/proxies/redis/toxics", Json{{"type", "nonsense"}}).status == 400);
  CHECK(api.call("PUT", "/proxies/redis").status == 405);
  CHECK(api.call("GET", "/nowhere").status == 404);

  // Metrics count the bytes each way.
  auto metrics = api.call("GET", "/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(mentions(metrics.text, "toxiproxy_proxy_received_bytes_total{direction=\"upstream\""));
  CHECK(mentions(metrics.text, "proxy=\"redis\",upstream=\"" + echo.address() + "\"} 12"));

  // Disabled: refuses connections and closes the open one; /reset enables it again.
  CHECK(api.call("PATCH", "/proxies/redis", Json{{"enabled", false}}).body["enabled"] == false);
  CHECK(client.wait_end(milliseconds(2000)) == PeerEnd::closed);
  CHECK_FALSE(LoopbackClient("127.0.0.1", port).connected());
  CHECK(api.call("POST", "/reset").status == 204);
  LoopbackClient again("127.0.0.1", port);
  REQUIRE(again.connected());
  round_trip_ms(again, "back");

  auto populated = api.call(
      "POST", "/populate",
      Json::array({Json{{"name", "redis"},
                        {"listen", "127.0.0.1:" + std::to_string(port)},
                        {"upstream", echo.address()}},
                   Json{{"name", "pg"}, {"listen", "127.0.0.1:0"}, {"upstream", echo.address()}}}));
  REQUIRE(populated.status == 201);
  CHECK(populated.body["proxies"].size() == 2);
  round_trip_ms(again, "kept");  // an unchanged proxy keeps its connections
  CHECK(api.call("DELETE", "/proxies/pg").status == 204);
  CHECK(api.call("GET", "/proxies/pg").status == 404);

  // A browser's request is refused, as Toxiproxy refuses it.
  CHECK(api.call("GET", "/proxies", "", {{"User-Agent", "Mozilla/5.0"}}).status == 403);
}

TEST_CASE("faultline proxy --config creates proxies, and SIGTERM closes them all", "[proxy][api]") {
  TempDir dir;
  LoopbackServer echo(LoopbackServer::Mode::echo);
  std::string config = dir.write(
      "proxies.json",
      Json::array({Json{{"name", "web"}, {"listen", "127.0.0.1:0"}, {"upstream", echo.address()}}})
          .dump());
  ProxyCli api(dir, {"--config", config});
  auto web = api.call("GET", "/proxies/web");
  REQUIRE(web.status == 200);
  LoopbackClient client("127.0.0.1", port_of(web.body));
  REQUIRE(client.connected());
  round_trip_ms(client, "hi");
  REQUIRE(kill(api.process().pid(), SIGTERM) == 0);
  int status = api.process().wait(Millis(5000));
  INFO(text_of(api.log()));
  REQUIRE(status >= 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(client.wait_end(milliseconds(2000)) == PeerEnd::closed);
  CHECK(file_contains(api.log(), "every proxy and connection closed"));
}

TEST_CASE("a second faultline proxy on a port already served fails instead of sharing it",
          "[proxy][api]") {
  TempDir dir;
  ProxyCli first(dir);
  auto second = run_cli({"proxy", "--port", std::to_string(first.port())}, "", Millis(5000));
  CHECK(second.exit_code == 1);
  CHECK(mentions(second.err, "cannot listen on 127.0.0.1:" + std::to_string(first.port())));
}

TEST_CASE("faultline proxy refuses a config that is not a list of proxies", "[proxy][api]") {
  TempDir dir;
  auto result = run_cli({"proxy", "--port", "0", "--config", dir.write("bad.json", "{\"a\": 1}")});
  CHECK(result.exit_code == 2);
  CHECK(mentions(result.err, "populate takes a JSON array"));
}

}  // namespace faultline::testing

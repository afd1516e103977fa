// The fault proxy's engine through its public header, with real traffic on loopback:
// a LoopbackServer upstream, LoopbackClients, and ProxyServer in between.
#include "tests/support/proxy_engine.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "faults/network/proxy/proxy_server.h"
#include "runner/os/http_client.h"
#include "tests/support/loopback.h"
#include "tests/support/test_support.h"

namespace faultline::proxy {
namespace {

using faultline::testing::LoopbackClient;
using faultline::testing::LoopbackServer;
using faultline::testing::PeerEnd;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::unique_ptr<ProxyServer> start_server() { return testing::start_proxy_server(); }
using testing::make_proxy;

double round_trip_ms(LoopbackClient& client, const std::string& message) {
  auto start = Clock::now();
  REQUIRE(client.send_all(message));
  auto echoed = client.receive(message.size(), milliseconds(5000));
  REQUIRE(echoed.has_value());
  CHECK(*echoed == message);
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

void add(ProxyServer& server, const std::string& proxy, const Json& toxic) {
  auto added = server.add_toxic(proxy, toxic);
  INFO((added.ok() ? std::string() : added.error().message));
  REQUIRE(added.ok());
}

}  // namespace

TEST_CASE("a proxy forwards both ways and answers the port it really listens on", "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "db", echo.address());
  CHECK(port > 0);
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  CHECK(round_trip_ms(client, "hello through the proxy") < 1000);
  auto proxy = server->get_proxy("db");
  REQUIRE(proxy.ok());
  CHECK((*proxy)["upstream"] == echo.address());
  CHECK((*proxy)["enabled"] == true);
  CHECK((*proxy)["toxics"] == Json::array());
  auto metrics = server->metrics()["proxies"][0];
  CHECK(metrics["upstream_received_bytes"] == 23);
  CHECK(metrics["downstream_sent_bytes"] == 23);
}

TEST_CASE("a proxy listens and connects over IPv6", "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo, "::1");
  auto server = start_server();
  int port = make_proxy(*server, "v6", echo.address(), "[::1]:0");
  CHECK((*server->get_proxy("v6"))["listen"].get<std::string>().rfind("[::1]:", 0) == 0);
  LoopbackClient client("::1", port);
  REQUIRE(client.connected());
  round_trip_ms(client, "six");
}

TEST_CASE("latency delays each answer by its time, measured from the read", "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "web", echo.address());
  add(*server, "web", Json{{"type", "latency"}, {"attributes", {{"latency", 100}}}});
  auto toxic = server->get_toxic("web", "latency_downstream");
  REQUIRE(toxic.ok());
  CHECK((*toxic)["stream"] == "downstream");
  CHECK((*toxic)["toxicity"] == 1.0);
  CHECK((*toxic)["attributes"]["jitter"] == 0);
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  double first = round_trip_ms(client, "ping");
  CHECK(first >= 99);
  CHECK(first < 180);
  // Five messages sent back to back come back 100 ms after each was read, not 500 ms.
  auto start = Clock::now();
  for (int i = 0; i < 5; ++i) {
    REQUIRE(client.send_all("x"));
    std::this_thread::sleep_for(milliseconds(5));
  }
  REQUIRE(client.receive(5, milliseconds(3000)).has_value());
  double all = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  CHECK(all < 250);
}

TEST_CASE("latency added to a live connection holds data, and removing it flushes at once",
          "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "live", echo.address());
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  round_trip_ms(client, "before");
  add(*server, "live",
      Json{{"type", "latency"}, {"stream", "upstream"}, {"attributes", {{"latency", 10000}}}});
  REQUIRE(client.send_all("held"));
  CHECK_FALSE(client.receive(4, milliseconds(300)).has_value());
  auto start = Clock::now();
  REQUIRE(server->remove_toxic("live", "latency_upstream").ok());
  auto flushed = client.receive(4, milliseconds(2000));
  REQUIRE(flushed.has_value());
  CHECK(*flushed == "held");
  CHECK(std::chrono::duration<double, std::milli>(Clock::now() - start).count() < 200);
}

TEST_CASE("changing latency on a live connection changes the delay of what it holds", "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "change", echo.address());
  add(*server, "change",
      Json{{"name", "slow"}, {"type", "latency"}, {"attributes", {{"latency", 10000}}}});
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  REQUIRE(client.send_all("abc"));
  std::this_thread::sleep_for(milliseconds(100));
  auto updated = server->update_toxic("change", "slow", Json{{"attributes", {{"latency", 300}}}});
  REQUIRE(updated.ok());
  CHECK((*updated)["attributes"]["latency"] == 300);
  auto start = Clock::now();
  REQUIRE(client.receive(3, milliseconds(3000)).has_value());
  double waited = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  CHECK(waited > 100);  // 300 ms from the read, 100 ms of which had passed
  CHECK(waited < 400);
}

TEST_CASE("timeout stops the data and closes the connection after its time", "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "t", echo.address());
  add(*server, "t", Json{{"type", "timeout"}, {"attributes", {{"timeout", 300}}}});
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  auto start = Clock::now();
  REQUIRE(client.send_all("lost"));
  CHECK(client.wait_end(milliseconds(3000)) == PeerEnd::closed);
  double waited = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  CHECK(waited > 250);
  CHECK(waited < 1000);
}

TEST_CASE("timeout 0 holds a connection until removed, and removal closes it", "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "hold", echo.address());
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  round_trip_ms(client, "ok");
  add(*server, "hold", Json{{"type", "timeout"}, {"attributes", {{"timeout", 0}}}});
  REQUIRE(client.send_all("dropped"));
  CHECK(client.wait_end(milliseconds(400)) == PeerEnd::still_open);
  REQUIRE(server->remove_toxic("hold", "timeout_downstream").ok());
  CHECK(client.wait_end(milliseconds(2000)) == PeerEnd::closed);
  // New connections flow again.
  LoopbackClient next("127.0.0.1", port);
  REQUIRE(next.connected());
  round_trip_ms(next, "again");
}

TEST_CASE("a disabled proxy refuses connections and closes open ones, and enabling reopens it",
          "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "down", echo.address());
  LoopbackClient open("127.0.0.1", port);
  REQUIRE(open.connected());
  round_trip_ms(open, "up");
  auto disabled = server->update_proxy("down", Json{{"enabled", false}});
  REQUIRE(disabled.ok());
  CHECK((*disabled)["enabled"] == false);
  CHECK(open.wait_end(milliseconds(2000)) == PeerEnd::closed);
  CHECK_FALSE(LoopbackClient("127.0.0.1", port).connected());
  auto enabled = server->update_proxy("down", Json{{"enabled", true}});
  REQUIRE(enabled.ok());
  CHECK((*enabled)["listen"] == "127.0.0.1:" + std::to_string(port));
  LoopbackClient again("127.0.0.1", port);
  REQUIRE(again.connected());
  round_trip_ms(again, "back");
}

TEST_CASE("reset_peer resets the connection after its time", "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "rst", echo.address());
  add(*server, "rst", Json{{"type", "reset_peer"}, {"attributes", {{"timeout", 100}}}});
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  REQUIRE(client.send_all("answer me"));
  CHECK(client.wait_end(milliseconds(2000)) == PeerEnd::reset);
}

TEST_CASE("bandwidth limits a transfer to its rate", "[proxy]") {
  LoopbackServer sink(LoopbackServer::Mode::sink);
  auto server = start_server();
  int port = make_proxy(*server, "bw", sink.address());
  add(*server, "bw",
      Json{{"type", "bandwidth"},
           {"stream", "upstream"},
           {"attributes", {{"rate", 1000}}}});  // 1,000,000 bytes/s
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  std::string payload(300'000, 'b');
  auto start = Clock::now();
  REQUIRE(client.send_all(payload));
  client.shutdown_write();
  REQUIRE(client.receive(1, milliseconds(5000)).has_value());
  double took = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  CHECK(took > 270);
  CHECK(took < 400);
  CHECK(sink.bytes_received() == payload.size());
}

TEST_CASE("limit_data passes that many bytes, then closes", "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "lim", echo.address());
  add(*server, "lim", Json{{"type", "limit_data"}, {"attributes", {{"bytes", 10}}}});
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  REQUIRE(client.send_all("0123456789abcdef"));
  auto got = client.receive(10, milliseconds(2000));
  REQUIRE(got.has_value());
  CHECK(*got == "0123456789");
  CHECK(client.wait_end(milliseconds(2000)) == PeerEnd::closed);
}

TEST_CASE("slicer cuts the stream into small pieces and loses nothing", "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "slice", echo.address());
  add(*server, "slice",
      Json{{"type", "slicer"},
           {"attributes", {{"average_size", 10}, {"size_variation", 5}, {"delay", 2000}}}});
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  std::string message(200, 's');
  auto start = Clock::now();
  REQUIRE(client.send_all(message));
  auto got = client.receive(message.size(), milliseconds(5000));
  REQUIRE(got.has_value());
  CHECK(*got == message);
  // About 20 pieces, 2 ms apart.
  CHECK(std::chrono::duration<double, std::milli>(Clock::now() - start).count() > 20);
}

TEST_CASE("slow_close delays passing on the close", "[proxy]") {
  LoopbackServer sink(LoopbackServer::Mode::sink);
  auto server = start_server();
  int port = make_proxy(*server, "sc", sink.address());
  add(*server, "sc",
      Json{{"type", "slow_close"}, {"stream", "upstream"}, {"attributes", {{"delay", 300}}}});
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  REQUIRE(client.send_all("bye"));
  auto start = Clock::now();
  client.shutdown_write();
  REQUIRE(client.receive(1, milliseconds(3000)).has_value());
  CHECK(std::chrono::duration<double, std::milli>(Clock::now() - start).count() > 280);
}

TEST_CASE("connect_latency holds a new connection before it reaches the upstream", "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "cl", echo.address());
  add(*server, "cl", Json{{"type", "connect_latency"}, {"attributes", {{"latency", 300}}}});
  auto start = Clock::now();
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  CHECK(echo.accepted() == 0);
  round_trip_ms(client, "late");
  CHECK(std::chrono::duration<double, std::milli>(Clock::now() - start).count() > 280);
  CHECK(echo.accepted() == 1);
}

TEST_CASE("a reader that does not read holds the proxy's buffer bounded", "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "bp", echo.address());
  SECTION("with no toxic (the upstream stream is spliced)") {}
  SECTION("with latency on the way back (the queue holds chunks until they are due)") {
    add(*server, "bp", Json{{"type", "latency"}, {"attributes", {{"latency", 50}}}});
  }
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  // The client sends and never reads its echo: the echo server blocks on its writes, so
  // the proxy's downstream queue fills and the proxy must stop reading.
  std::thread writer([&] {
    std::string block(64 * 1024, 'p');
    for (int i = 0; i < 1600; ++i)
      if (!client.send_all(block)) break;
  });
  std::this_thread::sleep_for(milliseconds(1500));
  auto metrics = server->metrics()["proxies"][0];
  uint64_t held = metrics["downstream_received_bytes"].get<uint64_t>() -
                  metrics["downstream_sent_bytes"].get<uint64_t>();
  CHECK(held <= 1024 * 1024);
  CHECK(metrics["upstream_received_bytes"].get<uint64_t>() -
            metrics["upstream_sent_bytes"].get<uint64_t>() <=
        1024 * 1024);
  // The sender was stopped well short of all it had to send (the kernel's socket
  // buffers on loopback hold a few MB each way).
  CHECK(metrics["upstream_received_bytes"].get<uint64_t>() < 1600ull * 64 * 1024 / 2);
  server->clear();  // closes the connection, which ends the writer
  writer.join();
}

TEST_CASE("the proxy API answers not_found, in_use and invalid as Toxiproxy does", "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  make_proxy(*server, "p", echo.address());
  auto duplicate = server->create_proxy(Json{{"name", "p"}, {"upstream", echo.address()}});
  REQUIRE_FALSE(duplicate.ok());
  CHECK(http_status(duplicate.error()) == 409);
  CHECK(http_status(server->get_proxy("nope").error()) == 404);
  CHECK(http_status(server->remove_toxic("p", "nope").error()) == 404);
  CHECK(http_status(server->create_proxy(Json{{"name", "x"}}).error()) == 400);
  CHECK(http_status(
            server->add_toxic("p", Json{{"type", "latency"}, {"attributes", {{"latency", "fast"}}}})
                .error()) == 400);
  CHECK(
      http_status(server->add_toxic("p", Json{{"type", "latency"}, {"attributes", {{"latncy", 5}}}})
                      .error()) == 400);
  CHECK(http_status(server->add_toxic("p", Json{{"type", "warp"}}).error()) == 400);
  CHECK(http_status(
            server->add_toxic("p", Json{{"type", "latency"}, {"stream", "sideways"}}).error()) ==
        400);
  CHECK(http_status(server->add_toxic("p", Json{{"type", "latency"}, {"toxicity", 2}}).error()) ==
        400);
  add(*server, "p", Json{{"type", "latency"}});
  CHECK(http_status(server->add_toxic("p", Json{{"type", "latency"}}).error()) == 409);
  REQUIRE(server->reset().ok());
  CHECK((*server->list_toxics("p")).empty());
}

}  // namespace faultline::proxy

namespace faultline::proxy {

TEST_CASE("http.fault answers its status instead of forwarding, for its share of requests",
          "[proxy][http]") {
  faultline::testing::TempDir dir;
  int upstream_port = faultline::testing::free_port();
  auto fixture = faultline::testing::start_http_fixture(upstream_port, dir);
  auto server = start_server();
  int port = make_proxy(*server, "web", "127.0.0.1:" + std::to_string(upstream_port));
  auto get = [&] {
    HttpRequest request;
    request.url = "http://127.0.0.1:" + std::to_string(port) + "/";
    request.timeout = Millis(3000);
    return http_request(request);
  };
  REQUIRE(get().ok());
  CHECK(get()->status == 200);
  add(*server, "web",
      Json{{"type", "http.fault"}, {"attributes", {{"status", 503}, {"body", "down\n"}}}});
  auto faulted = get();
  REQUIRE(faulted.ok());
  CHECK(faulted->status == 503);
  CHECK(faulted->body == "down\n");

  // Half of the requests.
  REQUIRE(server->update_toxic("web", "http.fault_downstream", Json{{"toxicity", 0.5}}).ok());
  int failed = 0, passed = 0;
  for (int i = 0; i < 40; ++i) {
    auto answer = get();
    REQUIRE(answer.ok());
    (answer->status == 503 ? failed : passed) += 1;
  }
  CHECK(failed > 5);
  CHECK(passed > 5);

  // A delay instead of an answer.
  REQUIRE(
      server
          ->update_toxic("web", "http.fault_downstream",
                         Json{{"toxicity", 1.0}, {"attributes", {{"status", 0}, {"delay", 300}}}})
          .ok());
  auto start = Clock::now();
  auto delayed = get();
  REQUIRE(delayed.ok());
  CHECK(delayed->status == 200);
  CHECK(std::chrono::duration<double, std::milli>(Clock::now() - start).count() >= 295);
  REQUIRE(server->remove_toxic("web", "http.fault_downstream").ok());
  start = Clock::now();
  CHECK(get()->status == 200);
  CHECK(std::chrono::duration<double, std::milli>(Clock::now() - start).count() < 200);
}

TEST_CASE("http.fault judges each request of a kept-alive connection on its own", "[proxy][http]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "ka", echo.address());
  add(*server, "ka",
      Json{{"type", "http.fault"}, {"toxicity", 0.0}, {"attributes", {{"status", 500}}}});
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  // The echo upstream sends the request back: each of two requests, in one write, arrives
  // whole and unaltered while the fault chooses none of them.
  std::string two =
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
      "GET /b HTTP/1.1\r\nHost: x\r\n\r\n";
  REQUIRE(client.send_all(two));
  auto back = client.receive(two.size(), milliseconds(2000));
  REQUIRE(back.has_value());
  CHECK(*back == two);
  // Now every request: the next one is answered by the proxy, which then closes.
  REQUIRE(server->update_toxic("ka", "http.fault_downstream", Json{{"toxicity", 1.0}}).ok());
  REQUIRE(client.send_all("GET /c HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto answer = client.receive(12, milliseconds(2000));
  REQUIRE(answer.has_value());
  CHECK(*answer == "HTTP/1.1 500");
  CHECK(client.wait_end(milliseconds(2000)) == PeerEnd::closed);
}

}  // namespace faultline::proxy

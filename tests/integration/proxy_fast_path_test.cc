// The fault proxy's ways of getting out of the way, and what must still hold on them:
// splice(2) for a bulk stream with no toxic (a toxic added to the live stream takes over
// without losing or reordering a byte), a queue bounded by its memory (a trickle of
// one-byte writes under latency), the connections' memory given back when they close,
// and an http.fault answer after which nothing more reaches the upstream.
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "faults/network/proxy/proxy_server.h"
#include "tests/support/loopback.h"
#include "tests/support/proxy_engine.h"
#include "tests/support/test_support.h"

namespace faultline::proxy {
namespace {

using faultline::testing::eventually;
using faultline::testing::LoopbackClient;
using faultline::testing::LoopbackServer;
using faultline::testing::PeerEnd;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

std::unique_ptr<ProxyServer> start_server() { return testing::start_proxy_server(); }
using testing::make_proxy;

Json counters(ProxyServer& server) { return server.metrics()["proxies"][0]; }

uint64_t counter(ProxyServer& server, const char* name) {
  return counters(server)[name].get<uint64_t>();
}

// Polls `condition` without sleeping (each poll is a round trip to the proxy's loop).
bool spin_until(const std::function<bool()>& condition, milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline)
    if (condition()) return true;
  return condition();
}

// Byte i of a test stream: a pattern in which a lost, doubled or moved block shows.
char pattern(uint64_t i) { return char('a' + (i * 7 + i / 4096) % 26); }

}  // namespace

TEST_CASE("a bulk stream is spliced, and a toxic added to it mid-stream takes over losslessly",
          "[proxy][splice]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "bulk", echo.address());
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  const uint64_t total = 24ull << 20;
  // The echo comes back through the proxy (downstream) while we send (upstream).
  uint64_t checked = 0;
  bool intact = true;
  std::thread reader([&] {
    while (checked < total) {
      auto got =
          client.receive(std::min<uint64_t>(64 * 1024, total - checked), milliseconds(20000));
      if (!got) {
        ::shutdown(client.fd(), SHUT_RDWR);  // fails the sender instead of leaving it blocked
        return;
      }
      for (char c : *got) intact = intact && c == pattern(checked++);
    }
  });
  std::string block(256 * 1024, 0);
  uint64_t sent = 0;
  auto send_until = [&](uint64_t until) {
    for (; sent < until; sent += block.size()) {
      for (size_t i = 0; i < block.size(); ++i) block[i] = pattern(sent + i);
      REQUIRE(client.send_all(block));
    }
  };
  send_until(8ull << 20);
  CHECK(eventually([&] { return counter(*server, "upstream_spliced_bytes") > (1u << 20); },
                   milliseconds(10000)));
  // A latency toxic on both streams while data is in flight: what the kernel pipes held
  // goes back to the queue, in order, and is delayed like the rest.
  auto toxic = [&](const char* stream) {
    return Json{{"type", "latency"}, {"stream", stream}, {"attributes", {{"latency", 20}}}};
  };
  REQUIRE(server->add_toxic("bulk", toxic("upstream")).ok());
  REQUIRE(server->add_toxic("bulk", toxic("downstream")).ok());
  uint64_t spliced_before = counter(*server, "upstream_spliced_bytes");
  send_until(16ull << 20);
  CHECK(counter(*server, "upstream_spliced_bytes") == spliced_before);
  // Removed again: the stream goes back to splicing.
  REQUIRE(server->remove_toxic("bulk", "latency_upstream").ok());
  REQUIRE(server->remove_toxic("bulk", "latency_downstream").ok());
  send_until(total);
  reader.join();
  CHECK(checked == total);
  CHECK(intact);
  CHECK(counter(*server, "upstream_spliced_bytes") > spliced_before);
  CHECK(counter(*server, "downstream_spliced_bytes") > 0);
  // Small exchanges never splice, and still go both ways.
  LoopbackClient small("127.0.0.1", port);
  REQUIRE(small.send_all("ping"));
  CHECK(small.receive(4, milliseconds(3000)) == std::optional<std::string>("ping"));
}

TEST_CASE("a trickle of one-byte writes under latency is bounded by the queue's memory",
          "[proxy]") {
  LoopbackServer sink(LoopbackServer::Mode::sink);
  auto server = start_server();
  int port = make_proxy(*server, "trickle", sink.address());
  REQUIRE(server
              ->add_toxic("trickle", Json{{"type", "latency"},
                                          {"stream", "upstream"},
                                          {"attributes", {{"latency", 60000}}}})
              .ok());
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  // One byte at a time, each read by the proxy before the next is sent: every byte is a
  // chunk of its own. Counting bytes alone, the proxy would hold all 8,000 (old code held
  // a 4 KiB buffer for each: 32 MB); counting memory it stops reading after ~4,000.
  const int kBytes = 8000;
  int accepted = 0;
  for (; accepted < kBytes; ++accepted) {
    REQUIRE(client.send_all("x"));
    bool read = spin_until(
        [&] { return counter(*server, "upstream_received_bytes") >= uint64_t(accepted + 1); },
        milliseconds(300));
    if (!read) break;
  }
  INFO("the proxy read " << accepted << " one-byte chunks");
  CHECK(accepted < kBytes);
  CHECK(accepted > 1000);
  CHECK(sink.bytes_received() == 0);
  // Nothing was lost: without the toxic every byte arrives.
  REQUIRE(server->remove_toxic("trickle", "latency_upstream").ok());
  for (int i = accepted + 1; i < kBytes; ++i) REQUIRE(client.send_all("x"));
  CHECK(eventually([&] { return sink.bytes_received() == uint64_t(kBytes); }, milliseconds(10000)));
}

TEST_CASE("connections' memory goes back to the system once the last of them has closed",
          "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "many", echo.address());
  auto memory = [&] { return server->metrics()["connection_memory"]; };
  {
    std::vector<LoopbackClient> clients;
    for (int i = 0; i < 300; ++i) clients.emplace_back("127.0.0.1", port);
    REQUIRE(eventually([&] { return echo.open_connections() == 300; }, milliseconds(20000)));
    CHECK(memory()["mapped_bytes"].get<uint64_t>() > 300 * 1024);
    CHECK(memory()["allocations"].get<uint64_t>() >= 300);
  }
  REQUIRE(eventually([&] { return counters(*server)["connections"] == 0; }, milliseconds(20000)));
  CHECK(eventually([&] { return memory()["allocations"] == 0; }, milliseconds(5000)));
  CHECK(memory()["mapped_bytes"].get<uint64_t>() == 0);
}

TEST_CASE("after an http.fault answer nothing more the client sent reaches the upstream",
          "[proxy][http]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "web", echo.address());
  // Held 300 ms, then answered 503 (and the connection closed).
  REQUIRE(server
              ->add_toxic("web", Json{{"type", "http.fault"},
                                      {"attributes", {{"status", 503}, {"delay", 300}}}})
              .ok());
  LoopbackClient client("127.0.0.1", port);
  REQUIRE(client.connected());
  const std::string request = "POST /pay HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nok";
  REQUIRE(client.send_all(request));
  REQUIRE(eventually([&] { return counter(*server, "upstream_received_bytes") == request.size(); },
                     milliseconds(3000)));
  // The next request, pipelined behind it, is not chosen (toxicity 0 by then): it would
  // be forwarded, and run upstream although the client is told to go away and will retry.
  REQUIRE(server->update_toxic("web", "http.fault_downstream", Json{{"toxicity", 0.0}}).ok());
  REQUIRE(client.send_all(request));
  auto answer = client.receive(12, milliseconds(3000));
  REQUIRE(answer.has_value());
  CHECK(*answer == "HTTP/1.1 503");
  CHECK(client.wait_end(milliseconds(3000)) == PeerEnd::closed);
  std::this_thread::sleep_for(milliseconds(100));
  CHECK(echo.bytes_received() == 0);
}

TEST_CASE("out of descriptors, the proxy pauses its accepts instead of spinning, then serves",
          "[proxy]") {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  auto server = start_server();
  int port = make_proxy(*server, "fds", echo.address());
  auto process_cpu = [] {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  };
  rlimit saved{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &saved) == 0);
  // The client's socket takes the lowest free descriptor; with the limit just above it,
  // the proxy's accept fails with EMFILE while the connection waits in the kernel.
  int lowest = ::dup(0);
  REQUIRE(lowest >= 0);
  ::close(lowest);
  rlimit tight = saved;
  tight.rlim_cur = rlim_t(lowest + 1);
  REQUIRE(setrlimit(RLIMIT_NOFILE, &tight) == 0);
  LoopbackClient client("127.0.0.1", port);
  bool connected = client.connected();
  double before = process_cpu();
  std::this_thread::sleep_for(milliseconds(600));
  double spent = process_cpu() - before;
  setrlimit(RLIMIT_NOFILE, &saved);
  REQUIRE(connected);
  INFO("CPU spent while out of descriptors: " << spent << " s");
  CHECK(spent < 0.06);  // accepting again at once spins a core (0.17-0.6 s here)
  // Descriptors back: the waiting connection is accepted and served.
  REQUIRE(client.send_all("back"));
  CHECK(client.receive(4, milliseconds(3000)) == std::optional<std::string>("back"));
}

}  // namespace faultline::proxy

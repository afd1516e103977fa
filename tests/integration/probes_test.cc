// The built-in probes against real servers on loopback.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "runner/os/local_target.h"
#include "runner/runner.h"
#include "tests/support/probe_check.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

ProbeOutcome check(const std::string& type, Json params) {
  return check_probe(type, std::move(params));
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

namespace {

// Accepts one connection on a loopback port, keeps the raw request, answers 204.
class RequestCatcher {
 public:
  RequestCatcher() {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t size = sizeof address;
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &size);
    port_ = ntohs(address.sin_port);
    REQUIRE(listen(listener_, 4) == 0);
    thread_ = std::thread([this] {
      int connection = accept(listener_, nullptr, nullptr);
      if (connection < 0) return;
      char buffer[4096];
      // Headers, then a body of the Content-Length the probe sent (small here).
      for (ssize_t n; (n = read(connection, buffer, sizeof buffer)) > 0;) {
        request_.append(buffer, static_cast<size_t>(n));
        size_t end = request_.find("\r\n\r\n");
        size_t length_at = request_.find("Content-Length: ");
        size_t length =
            length_at == std::string::npos ? 0 : std::stoul(request_.substr(length_at + 16));
        if (end != std::string::npos && request_.size() >= end + 4 + length) break;
      }
      std::string reply = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
      (void)!write(connection, reply.data(), reply.size());
      close(connection);
    });
  }
  ~RequestCatcher() {
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  std::string request() {
    if (thread_.joinable()) thread_.join();
    return request_;
  }

 private:
  int listener_ = -1;
  int port_ = 0;
  std::string request_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("the http probe sends the plan's method and headers and body") {
  RequestCatcher catcher;
  ProbeOutcome outcome = check(
      "http", {{"url", "http://127.0.0.1:" + std::to_string(catcher.port()) + "/health?deep=1"},
               {"method", "POST"},
               {"headers", {{"X-Drill", "faultline"}, {"Authorization", "Bearer t0ken"}}},
               {"body", "{\"check\":true}"},
               {"expect_status", 204}});
  CHECK(outcome.ok);
  CHECK(outcome.detail == "status 204");
  std::string request = catcher.request();
  CHECK(request.rfind("POST /health?deep=1 HTTP/1.1\r\n", 0) == 0);
  CHECK(request.find("\r\nX-Drill: faultline\r\n") != std::string::npos);
  CHECK(request.find("\r\nAuthorization: Bearer t0ken\r\n") != std::string::npos);
  CHECK(request.find("\r\n\r\n{\"check\":true}") != std::string::npos);
}

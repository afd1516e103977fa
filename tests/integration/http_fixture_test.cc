// faultline-http-fixture, the system under test of bench/rto_accuracy: it must answer
// correctly, stay on loopback, and answer at once when resumed after a freeze, whatever
// queued up meanwhile (else the benchmark would measure the server, not the runner).
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "runner/os/local_target.h"
#include "runner/os/process.h"
#include "runner/runner.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

constexpr char kReply[] = "HTTP/1.0 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
constexpr char kRequest[] = "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";

// A blocking connection to 127.0.0.1:port whose reads give up after 2 s, or -1.
int connect_to(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  timeval timeout{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

void send_text(int fd, const std::string& text) {
  REQUIRE(send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size()));
}

// Everything up to EOF (or the read timeout); closes `fd`.
std::string read_to_end(int fd) {
  std::string out;
  char buffer[512];
  for (ssize_t got; (got = read(fd, buffer, sizeof buffer)) > 0;) out.append(buffer, got);
  close(fd);
  return out;
}

std::string get(int port) {
  int fd = connect_to(port);
  if (fd < 0) return "";
  send_text(fd, kRequest);
  return read_to_end(fd);
}

std::unique_ptr<OwnedProcess> start_fixture(int port, const TempDir& dir) {
  Command command{{FAULTLINE_HTTP_FIXTURE, "--port", std::to_string(port)}, dir.path(), {}};
  auto fixture = std::make_unique<OwnedProcess>(command, dir.file("fixture.log"));
  REQUIRE(eventually([&] { return get(port) == kReply; }, Millis(5000)));
  return fixture;
}

size_t open_fds(pid_t pid) {
  std::error_code ec;
  auto entries = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
  return ec ? 0 : std::distance(begin(entries), end(entries));
}

}  // namespace

TEST_CASE("the http fixture answers 200 ok to the http probe and to a raw request") {
  TempDir dir;
  int port = free_port();
  auto fixture = start_fixture(port, dir);

  CHECK(get(port) == kReply);
  // Headers split across reads, the end marker itself cut in two.
  int fd = connect_to(port);
  REQUIRE(fd >= 0);
  send_text(fd, "GET / HTTP/1.0\r\n\r");
  std::this_thread::sleep_for(Millis(50));
  send_text(fd, "\n");
  CHECK(read_to_end(fd) == kReply);

  Registry registry;
  REQUIRE(register_builtin_types(registry).ok());
  const ProbeType* http = registry.probe_type("http");
  REQUIRE(http != nullptr);
  // Normalized, as the plan loader would hand them over (timeout in ms).
  Json params = {{"url", "http://127.0.0.1:" + std::to_string(port) + "/"},
                 {"method", "GET"},
                 {"expect_status", 200},
                 {"expect_body", "^ok\n$"},
                 {"timeout", 1000}};
  auto probe = http->configure(Params(params));
  REQUIRE(probe.ok());
  auto target = make_local_target();
  ProbeOutcome outcome = (*probe)->check(*target);
  INFO(outcome.detail);
  CHECK(outcome.ok);

  // SIGTERM is a clean exit, not a death by signal.
  REQUIRE(kill(fixture->pid(), SIGTERM) == 0);
  int status = fixture->wait(Millis(5000));
  REQUIRE(status != -1);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("the http fixture refuses to bind anything but loopback") {
  std::string port = std::to_string(free_port());
  for (std::string address : {"0.0.0.0", "192.0.2.1", "::", "::ffff:127.0.0.1", "localhost"}) {
    auto run = run_command(Command{{FAULTLINE_HTTP_FIXTURE, "--port", port, "--bind", address}},
                           Millis(5000));
    REQUIRE(run.ok());
    INFO("--bind " << address << ": exit " << run->exit_code << ", stderr: " << run->err);
    CHECK_FALSE(run->timed_out);
    CHECK(run->exit_code == 2);
    CHECK(run->err.find("refusing --bind " + address + ": not a loopback address") !=
          std::string::npos);
  }
}

TEST_CASE("the http fixture answers at once when resumed, whatever queued while it was frozen") {
  TempDir dir;
  int port = free_port();
  auto fixture = start_fixture(port, dir);
  size_t idle_fds = open_fds(fixture->pid());

  REQUIRE(kill(fixture->pid(), SIGSTOP) == 0);
  MonoTime stopped = MonoClock::now();
  REQUIRE(eventually([&] { return process_state(fixture->pid()) == 'T'; }, Millis(2000)));
  // Twenty clients that gave up, as timed-out probes do: the kernel completes their
  // handshakes into the backlog, then they close, half of them after sending a request.
  for (int i = 0; i < 20; ++i) {
    int stale = connect_to(port);
    REQUIRE(stale >= 0);
    if (i % 2 == 0) send_text(stale, kRequest);
    close(stale);
  }
  // The fresh request queues behind all of them.
  int fresh = connect_to(port);
  REQUIRE(fresh >= 0);
  send_text(fresh, kRequest);
  std::this_thread::sleep_until(stopped + Millis(300));

  REQUIRE(kill(fixture->pid(), SIGCONT) == 0);
  MonoTime resumed = MonoClock::now();
  std::string reply = read_to_end(fresh);
  double answered_ms = elapsed_ms(resumed, MonoClock::now());
  INFO("answered " << answered_ms << " ms after SIGCONT");
  CHECK(reply == kReply);
  CHECK(answered_ms <= 5.0);

  CHECK(get(port) == kReply);
  // Every stale connection was closed, none kept waiting for a request.
  CHECK(eventually([&] { return open_fds(fixture->pid()) == idle_fds; }, Millis(2000)));
}

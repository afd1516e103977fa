// How fast and how exact is the fault proxy? Every figure against a baseline measured in
// the same run, on loopback, with peers written on plain sockets (tests/support/loopback)
// that share no code with the proxy:
//
//   proxy_bench [--smoke] [--bulk-mb N] [--runs N] [--only idle|bulk|rtt|bandwidth]
//
//   bulk       one stream, no toxics: proxy >= 50% of direct loopback, >= 1.5x socat
//              (socat TCP-LISTEN:...,fork,reuseaddr TCP:...) on the same transfer; the best
//              of --runs transfers each, interleaved
//   round trip 10,000 64-byte request/responses, no toxics: added p50 < 100 us, p99 < 500 us
//              (proxy minus direct, percentile by percentile)
//   latency    a 50 ms latency toxic: added delay p50 within 2 ms of 50 ms
//   bandwidth  a 4,000 KB/s toxic over 10 MB: the rate achieved within +-5%
//   idle       1,000 idle connections through one proxy: resident growth < 64 MB, and
//              back within 10% of the start after they close
//
// Prints every figure and PASS/FAIL per target; exits 1 when a target is missed, 2 on bad
// usage or when a transfer itself failed. --smoke runs each part small and fast (for the
// test suite: it checks that everything runs and prints; its figures are not judged, as a
// loaded CI machine makes small samples noisy, and it exits 0 unless a transfer failed).
#include <dirent.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "faults/network/proxy/proxy_server.h"
#include "runner/os/net.h"
#include "runner/os/subprocess.h"
#include "tests/support/loopback.h"

using namespace faultline;
using faultline::testing::LoopbackClient;
using faultline::testing::LoopbackServer;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  bool smoke = false;
  int bulk_mb = 256;
  int runs = 3;
  std::string only;  // one part, or all when empty
  bool runs_part(const char* part) const { return only.empty() || only == part; }
};

struct Verdicts {
  int missed = 0;
  bool broken = false;
  bool judged = true;
  void check(bool ok, const std::string& line) {
    std::printf("  %-58s %s\n", line.c_str(), judged ? (ok ? "PASS" : "FAIL") : "(not judged)");
    if (!ok && judged) ++missed;
  }
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Sends `bytes` to a sink at host:port, closes its write side, and waits for the sink's
// "K" (it has read everything): seconds, or nullopt when the transfer failed.
std::optional<double> transfer(int port, size_t bytes) {
  LoopbackClient client("127.0.0.1", port);
  if (!client.connected()) return std::nullopt;
  std::vector<char> block(1024 * 1024, 'x');
  auto start = Clock::now();
  size_t sent = 0;
  while (sent < bytes) {
    size_t size = std::min(block.size(), bytes - sent);
    if (!client.send_all(block.data(), size)) return std::nullopt;
    sent += size;
  }
  client.shutdown_write();
  if (!client.receive(1, Millis(120000))) return std::nullopt;
  return seconds_since(start);
}

// Round trips of `size`-byte messages, in microseconds, sorted.
std::vector<double> round_trips(int port, int count, size_t size) {
  LoopbackClient client("127.0.0.1", port);
  std::vector<double> out;
  if (!client.connected()) return out;
  std::string message(size, 'r');
  for (int i = 0; i < count; ++i) {
    auto start = Clock::now();
    if (!client.send_all(message) || !client.receive(size, Millis(10000))) return {};
    out.push_back(seconds_since(start) * 1e6);
  }
  std::sort(out.begin(), out.end());
  return out;
}

double percentile(const std::vector<double>& sorted, double share) {
  if (sorted.empty()) return 0;
  size_t index = std::min(sorted.size() - 1, size_t(share * double(sorted.size())));
  return sorted[index];
}

long resident_kb() {
  long pages = 0, resident = 0;
  FILE* file = std::fopen("/proc/self/statm", "r");
  if (!file) return 0;
  if (std::fscanf(file, "%ld %ld", &pages, &resident) != 2) resident = 0;
  std::fclose(file);
  return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

bool wait_until(const std::function<bool()>& condition, Millis timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(Millis(10));
  }
  return condition();
}

// The CPU time (user + system) of one thread of this process, from /proc (10 ms ticks).
double thread_cpu_seconds(int tid) {
  FILE* file = std::fopen(fmt::format("/proc/self/task/{}/stat", tid).c_str(), "r");
  if (!file) return 0;
  char line[1024];
  size_t size = std::fread(line, 1, sizeof line - 1, file);
  std::fclose(file);
  line[size] = 0;
  const char* after_name = std::strrchr(line, ')');
  long user = 0, system = 0;
  if (!after_name ||
      std::sscanf(after_name + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %ld %ld", &user,
                  &system) != 2)
    return 0;
  return double(user + system) / double(sysconf(_SC_CLK_TCK));
}

std::vector<int> thread_ids() {
  std::vector<int> out;
  if (DIR* tasks = opendir("/proc/self/task")) {
    while (dirent* entry = readdir(tasks))
      if (entry->d_name[0] != '.') out.push_back(std::atoi(entry->d_name));
    closedir(tasks);
  }
  return out;
}

// The proxy's event loop thread: the one ProxyServer::start() added.
int g_loop_thread = 0;

int free_loopback_port() {
  LoopbackServer probe(LoopbackServer::Mode::sink);
  return probe.port();
}

int make_proxy(proxy::ProxyServer& server, const std::string& name, const std::string& upstream) {
  auto created = server.create_proxy(Json{{"name", name}, {"upstream", upstream}});
  if (!created) {
    std::fprintf(stderr, "proxy_bench: %s\n", created.error().message.c_str());
    std::exit(2);
  }
  std::string listen = (*created)["listen"].get<std::string>();
  return std::stoi(listen.substr(listen.rfind(':') + 1));
}

// socat relaying to `sink`, started and killed (by pid, its own group) by this run.
struct Socat {
  std::optional<ProcessId> process;
  int port = 0;
  explicit Socat(int sink_port) {
    port = free_loopback_port();
    Command command;
    command.argv = {"socat", fmt::format("TCP-LISTEN:{},fork,reuseaddr,bind=127.0.0.1", port),
                    fmt::format("TCP:127.0.0.1:{}", sink_port)};
    auto started = spawn_process(command, "/dev/null");
    if (!started) return;
    process = *started;
    wait_until([&] { return LoopbackClient("127.0.0.1", port, Millis(200)).connected(); },
               Millis(5000));
  }
  ~Socat() {
    if (!process) return;
    kill_group_of_unreaped_child(process->pid);
    reap_child(process->pid);
  }
};

void bench_idle(proxy::ProxyServer& server, Verdicts& verdicts, int count) {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  int port = make_proxy(server, "idle", echo.address());
  std::vector<LoopbackClient> clients;
  clients.reserve(size_t(count));
  // Warm up: a first round of connections faults in the code and the allocator's arenas
  // every later connection reuses, which is not a cost per connection.
  for (int i = 0; i < count / 10; ++i) clients.emplace_back("127.0.0.1", port);
  wait_until([&] { return echo.open_connections() == count / 10; }, Millis(20000));
  clients.clear();
  wait_until([&] { return server.metrics()["proxies"][0]["connections"] == 0; }, Millis(20000));
  std::this_thread::sleep_for(Millis(200));
  long before = resident_kb();
  for (int i = 0; i < count; ++i) {
    clients.emplace_back("127.0.0.1", port);
    if (!clients.back().connected()) {
      std::printf("idle: connection %d failed\n", i);
      verdicts.broken = true;
      return;
    }
  }
  bool all_up = wait_until([&] { return echo.open_connections() == count; }, Millis(20000));
  long during = resident_kb();
  clients.clear();
  bool all_gone =
      wait_until([&] { return server.metrics()["proxies"][0]["connections"] == 0; }, Millis(20000));
  std::this_thread::sleep_for(Millis(200));
  long after = resident_kb();
  // A second round shows whether what stayed is reused (asio keeps each socket's reactor
  // state in a pool for the next socket) or leaks.
  for (int i = 0; i < count; ++i) clients.emplace_back("127.0.0.1", port);
  wait_until([&] { return echo.open_connections() == count; }, Millis(20000));
  long again = resident_kb();
  clients.clear();
  wait_until([&] { return server.metrics()["proxies"][0]["connections"] == 0; }, Millis(20000));
  (void)server.delete_proxy("idle");
  if (!all_up || !all_gone) {
    std::printf("idle: the connections did not all come up and go (%d at the upstream)\n",
                echo.open_connections());
    verdicts.broken = true;
    return;
  }
  double growth_mb = double(during - before) / 1024.0;
  std::printf(
      "idle %d connections: resident %.1f MB before, %.1f MB open (+%.1f MB, %.1f KB "
      "each), %.1f MB after close\n",
      count, before / 1024.0, during / 1024.0, growth_mb, double(during - before) / count,
      after / 1024.0);
  std::printf("  a second round of %d: resident %.1f MB open (%+.1f MB over the first round)\n",
              count, again / 1024.0, double(again - during) / 1024.0);
  verdicts.check(growth_mb < 64,
                 fmt::format("resident growth {:.1f} MB (target < 64 MB)", growth_mb));
  double back = before > 0 ? double(after - before) / double(before) : 0;
  verdicts.check(back <= 0.10,
                 fmt::format("after close {:+.1f}% of the start (target <= +10%)", back * 100));
}

void bench_bulk(proxy::ProxyServer& server, Verdicts& verdicts, const Options& options) {
  LoopbackServer sink(LoopbackServer::Mode::sink);
  int proxy_port = make_proxy(server, "bulk", sink.address());
  Socat socat(sink.port());
  if (!socat.process) {
    std::printf("bulk: socat did not start (apt-get install socat)\n");
    verdicts.broken = true;
    return;
  }
  size_t bytes = size_t(options.bulk_mb) * 1024 * 1024;
  double best[3] = {0, 0, 0};  // MB/s: direct, proxy, socat
  double loop_cpu = 0;         // seconds the proxy's thread ran during its transfers
  int ports[3] = {sink.port(), proxy_port, socat.port};
  for (int run = 0; run < options.runs; ++run) {
    for (int which = 0; which < 3; ++which) {
      double cpu_before = thread_cpu_seconds(g_loop_thread);
      auto took = transfer(ports[which], bytes);
      if (which == 1) loop_cpu += thread_cpu_seconds(g_loop_thread) - cpu_before;
      if (!took) {
        std::printf("bulk: a transfer failed (%s)\n", which == 0   ? "direct"
                                                      : which == 1 ? "proxy"
                                                                   : "socat");
        verdicts.broken = true;
        return;
      }
      best[which] = std::max(best[which], double(bytes) / 1e6 / *took);
    }
  }
  Json counters = server.metrics()["proxies"][0];
  double spliced = counters["upstream_spliced_bytes"].get<double>() /
                   std::max(1.0, counters["upstream_sent_bytes"].get<double>());
  (void)server.delete_proxy("bulk");
  std::printf("bulk %d MiB, best of %d: direct %.0f MB/s, proxy %.0f MB/s, socat %.0f MB/s\n",
              options.bulk_mb, options.runs, best[0], best[1], best[2]);
  std::printf("  the proxy moved %.1f%% of the bytes by splice(2); its thread ran %.3f s per GB\n",
              spliced * 100, loop_cpu / (double(bytes) * options.runs / 1e9));
  double of_direct = best[1] / best[0];
  double of_socat = best[1] / best[2];
  verdicts.check(of_direct >= 0.5,
                 fmt::format("proxy / direct {:.2f} (target >= 0.50)", of_direct));
  verdicts.check(of_socat >= 1.5, fmt::format("proxy / socat {:.2f} (target >= 1.50)", of_socat));
}

void bench_round_trips(proxy::ProxyServer& server, Verdicts& verdicts, int count,
                       int latency_samples) {
  LoopbackServer echo(LoopbackServer::Mode::echo);
  int port = make_proxy(server, "rtt", echo.address());
  auto direct = round_trips(echo.port(), count, 64);
  auto proxied = round_trips(port, count, 64);
  if (direct.empty() || proxied.empty()) {
    std::printf("round trips: a request went unanswered\n");
    verdicts.broken = true;
    return;
  }
  double added50 = percentile(proxied, 0.5) - percentile(direct, 0.5);
  double added99 = percentile(proxied, 0.99) - percentile(direct, 0.99);
  std::printf(
      "round trips x%d (64 B): direct p50 %.1f us p99 %.1f us; proxy p50 %.1f us p99 "
      "%.1f us\n",
      count, percentile(direct, 0.5), percentile(direct, 0.99), percentile(proxied, 0.5),
      percentile(proxied, 0.99));
  verdicts.check(added50 < 100, fmt::format("added p50 {:.1f} us (target < 100 us)", added50));
  verdicts.check(added99 < 500, fmt::format("added p99 {:.1f} us (target < 500 us)", added99));

  // The same proxy with a 50 ms latency toxic: the delay it adds, over the proxy's own.
  auto added =
      server.add_toxic("rtt", Json{{"type", "latency"}, {"attributes", {{"latency", 50}}}});
  if (!added) {
    verdicts.broken = true;
    return;
  }
  auto delayed = round_trips(port, latency_samples, 64);
  (void)server.delete_proxy("rtt");
  if (delayed.empty()) {
    verdicts.broken = true;
    return;
  }
  double delay50 = (percentile(delayed, 0.5) - percentile(proxied, 0.5)) / 1000.0;
  std::printf("latency 50 ms x%d: round trip p50 %.3f ms, max %.3f ms; added p50 %.3f ms\n",
              latency_samples, percentile(delayed, 0.5) / 1000.0, delayed.back() / 1000.0, delay50);
  verdicts.check(std::abs(delay50 - 50.0) <= 2.0,
                 fmt::format("added delay p50 {:.3f} ms (target 50 +- 2 ms)", delay50));
}

void bench_bandwidth(proxy::ProxyServer& server, Verdicts& verdicts, size_t bytes, int rate_kb) {
  LoopbackServer sink(LoopbackServer::Mode::sink);
  int port = make_proxy(server, "bw", sink.address());
  auto added = server.add_toxic(
      "bw",
      Json{{"type", "bandwidth"}, {"stream", "upstream"}, {"attributes", {{"rate", rate_kb}}}});
  std::optional<double> took;
  if (added) took = transfer(port, bytes);
  (void)server.delete_proxy("bw");
  if (!took.has_value()) {
    std::printf("bandwidth: the transfer failed\n");
    verdicts.broken = true;
    return;
  }
  double seconds = took.value_or(1.0);
  double achieved = double(bytes) / 1000.0 / seconds;  // KB/s, 1 KB = 1000 bytes
  double error = achieved / rate_kb - 1.0;
  std::printf("bandwidth %d KB/s over %.1f MB: %.3f s, achieved %.1f KB/s\n", rate_kb,
              double(bytes) / 1e6, seconds, achieved);
  verdicts.check(std::abs(error) <= 0.05,
                 fmt::format("rate error {:+.2f}% (target within +-5%)", error * 100));
}

void usage(FILE* out) {
  std::fputs(
      "usage: proxy_bench [--smoke] [--bulk-mb N] [--runs N] [--only idle|bulk|rtt|bandwidth]\n",
      out);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--smoke") {
      options.smoke = true;
      options.bulk_mb = 16;
      options.runs = 1;
    } else if ((arg == "--bulk-mb" || arg == "--runs") && i + 1 < argc) {
      int value = std::atoi(argv[++i]);
      if (value <= 0) {
        usage(stderr);
        return 2;
      }
      (arg == "--runs" ? options.runs : options.bulk_mb) = value;
    } else if (arg == "--only" && i + 1 < argc) {
      options.only = argv[++i];
      if (options.only != "idle" && options.only != "bulk" && options.only != "rtt" &&
          options.only != "bandwidth") {
        usage(stderr);
        return 2;
      }
    } else if (arg == "--help" || arg == "-h") {
      usage(stdout);
      return 0;
    } else {
      usage(stderr);
      return 2;
    }
  }
  // Thousands of sockets live in this one process (clients, proxy, upstream).
  raise_open_files_limit();
  std::vector<int> threads_before = thread_ids();
  auto server = proxy::ProxyServer::start();
  for (int tid : thread_ids())
    if (std::find(threads_before.begin(), threads_before.end(), tid) == threads_before.end())
      g_loop_thread = tid;
  if (!server) {
    std::fprintf(stderr, "proxy_bench: %s\n", server.error().message.c_str());
    return 2;
  }
  Verdicts verdicts;
  verdicts.judged = !options.smoke;
  std::printf("proxy_bench%s: one run, loopback, %u cores\n", options.smoke ? " --smoke" : "",
              std::thread::hardware_concurrency());
  // Idle first, so the resident figures are not those of the bulk transfers' buffers.
  if (options.runs_part("idle")) bench_idle(**server, verdicts, options.smoke ? 200 : 1000);
  if (options.runs_part("bulk")) bench_bulk(**server, verdicts, options);
  if (options.runs_part("rtt"))
    bench_round_trips(**server, verdicts, options.smoke ? 1000 : 10000, options.smoke ? 5 : 40);
  if (options.runs_part("bandwidth"))
    bench_bandwidth(**server, verdicts, options.smoke ? 1'000'000 : 10'000'000, 4000);
  if (verdicts.broken) {
    std::printf("proxy_bench: BROKEN (a transfer failed; see above)\n");
    return 2;
  }
  if (options.smoke) {
    std::printf("proxy_bench: smoke run complete (figures not judged)\n");
    return 0;
  }
  std::printf("proxy_bench: %s (%d target(s) missed)\n", verdicts.missed ? "FAIL" : "PASS",
              verdicts.missed);
  return verdicts.missed ? 1 : 0;
}

// How accurate is the measured RTO? Freezes a real HTTP server with process.pause
// (SIGSTOP, rollback SIGCONT) for a known time, in-process through run_drill, and
// compares the RTO the drill reports against the ground truth from the same report
// (rolled back - injected) at several probe intervals.
//
//   rto_accuracy [--runs N] [--intervals 10,50,200] [--pause 1s] [--server fixture|python]
//
// The default server, faultline-http-fixture, answers the instant it is resumed, so the
// error is the runner's own. python3 http.server first works through the connections
// queued while it was frozen, so its figures add that catch-up (5-25 ms here) on top.
//
// Per interval it prints the error (measured RTO - ground truth) as mean/p50/p95/max
// and p95 as a fraction of the interval (target: <= 1.0), and a baseline measured in
// the same run: the round trip of the same http probe against the healthy server.
// Exits 1 when an interval misses the target or a drill did not pass, 2 on bad usage.
#include <fmt/format.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "runner/engine/measure.h"
#include "runner/engine/probe_loop.h"
#include "runner/os/files.h"
#include "runner/os/local_target.h"
#include "runner/os/subprocess.h"
#include "runner/runner.h"

using namespace faultline;

namespace {

constexpr int kRecoveredAfter = 3;
constexpr int kProbeTimeoutMs = 300;
constexpr int kBaselineSamples = 200;
constexpr double kTarget = 1.0;  // p95 error / interval

std::atomic<int> g_interrupted{0};

void on_signal(int signal) { g_interrupted = signal; }

enum class Server { fixture, python };

struct Options {
  Server server = Server::fixture;
  int runs = 20;
  std::vector<int> intervals_ms = {10, 50, 200};
  Millis pause{1000};
};

void usage(FILE* out) {
  std::fputs(
      "usage: rto_accuracy [--runs N] [--intervals MS,MS,...] [--pause DURATION]\n"
      "                    [--server fixture|python]\n"
      "  --runs N          drills per probe interval (default 20)\n"
      "  --intervals LIST  probe intervals in ms (default 10,50,200)\n"
      "  --pause DURATION  how long the server is frozen (default 1s)\n"
      "  --server NAME     fixture: faultline-http-fixture, which recovers instantly (default);\n"
      "                    python: python3 -m http.server, which adds its own catch-up\n",
      out);
}

std::optional<int> positive_int(const std::string& text) {
  if (text.empty() || text.size() > 7 || text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  int value = std::stoi(text);
  if (value <= 0) return std::nullopt;
  return value;
}

// 0 = go on, otherwise the exit code.
int parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      usage(stdout);
      return -1;
    }
    if (i + 1 >= argc ||
        (arg != "--runs" && arg != "--intervals" && arg != "--pause" && arg != "--server")) {
      std::fprintf(stderr, "rto_accuracy: unknown option or missing value: %s\n", arg.c_str());
      usage(stderr);
      return 2;
    }
    std::string value = argv[++i];
    if (arg == "--runs") {
      auto runs = positive_int(value);
      if (!runs) return std::fprintf(stderr, "rto_accuracy: --runs needs a positive integer\n"), 2;
      options.runs = *runs;
    } else if (arg == "--intervals") {
      options.intervals_ms.clear();
      size_t start = 0;
      while (start <= value.size()) {
        size_t comma = value.find(',', start);
        std::string part =
            value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        auto interval = positive_int(part);
        if (!interval)
          return std::fprintf(stderr, "rto_accuracy: bad interval '%s' (ms)\n", part.c_str()), 2;
        options.intervals_ms.push_back(*interval);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (arg == "--server") {
      if (value == "fixture") {
        options.server = Server::fixture;
      } else if (value == "python") {
        options.server = Server::python;
      } else {
        return std::fprintf(stderr, "rto_accuracy: --server is fixture or python, not '%s'\n",
                            value.c_str()),
               2;
      }
    } else {
      auto pause = parse_duration(value);
      if (!pause.ok() || pause->count() <= 0)
        return std::fprintf(stderr, "rto_accuracy: bad --pause '%s'\n", value.c_str()), 2;
      options.pause = *pause;
    }
  }
  return 0;
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t size = sizeof address;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

// A temp dir removed with everything in it on destruction.
struct TempDir {
  std::string path;
  TempDir() {
    char pattern[] = "/tmp/faultline-bench-XXXXXX";
    if (char* made = mkdtemp(pattern)) path = made;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

// The server this benchmark started: resumed, killed by pid (its own process group,
// which spawn_process made for it) and reaped on destruction.
struct OwnedServer {
  std::optional<ProcessId> process;
  ~OwnedServer() {
    if (!process) return;
    kill(process->pid, SIGCONT);
    kill(-process->pid, SIGKILL);
    waitpid(process->pid, nullptr, 0);
  }
};

// `at_ms`: when the fault fires after the baseline; drawn at random per run so that the
// probe rounds meet the resume at every phase, not one fixed by the schedule.
std::string plan_text(int port, const std::string& pidfile, int interval_ms, Millis pause,
                      int at_ms) {
  return fmt::format(R"(version: 1
name: bench-rto-accuracy
objectives:
  rto: 30s
steady_state:
  interval: {interval}ms
  recovered_after: {k}
  baseline_rounds: 3
  probes:
    - name: web
      http: {{url: "http://127.0.0.1:{port}/", expect_status: 200, timeout: {timeout}ms}}
faults:
  - name: freeze
    type: process.pause
    at: {at}ms
    duration: {pause}ms
    target: {{pidfile: "{pidfile}"}}
recovery:
  timeout: 30s
)",
                     fmt::arg("interval", interval_ms), fmt::arg("k", kRecoveredAfter),
                     fmt::arg("port", port), fmt::arg("timeout", kProbeTimeoutMs),
                     fmt::arg("pause", pause.count()), fmt::arg("at", at_ms),
                     fmt::arg("pidfile", pidfile));
}

struct Stats {
  double mean = 0, p50 = 0, p95 = 0, min = 0, max = 0;
};

Stats stats(const std::vector<double>& values) {
  Stats s;
  if (values.empty()) return s;
  for (double value : values) s.mean += value;
  s.mean /= static_cast<double>(values.size());
  s.p50 = *percentile(values, 50);
  s.p95 = *percentile(values, 95);
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  return s;
}

struct IntervalResult {
  int interval_ms = 0;
  std::vector<double> errors;
  std::vector<double> truths;
  int in_flight = 0;  // runs whose recovery round was already waiting when SIGCONT was sent
  int failed_runs = 0;
  std::string first_failure;
};

}  // namespace

namespace {

int run_benchmark(int argc, char** argv) {
  Options options;
  if (int code = parse_options(argc, argv, options); code != 0) return code < 0 ? 0 : code;

  // Ctrl-C / SIGTERM: finish the drill in progress (it always rolls back), then clean up.
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  Registry registry;
  if (Status registered = register_builtin_types(registry); !registered) {
    std::fprintf(stderr, "rto_accuracy: %s\n", registered.error().message.c_str());
    return 1;
  }
  const bool python = options.server == Server::python;
  const char* server_name = python ? "python3 http.server" : "faultline-http-fixture";
  if (python && !program_exists("python3")) {
    std::fprintf(stderr, "rto_accuracy: python3 not found\n");
    return 1;
  }

  TempDir dir;
  if (dir.path.empty()) {
    std::fprintf(stderr, "rto_accuracy: cannot create a temp dir\n");
    return 1;
  }
  std::string www = dir.path + "/www";
  if (Status made = make_directories(www); !made) {
    std::fprintf(stderr, "rto_accuracy: %s\n", made.error().message.c_str());
    return 1;
  }
  int port = free_port();
  if (port == 0) {
    std::fprintf(stderr, "rto_accuracy: no free port\n");
    return 1;
  }

  OwnedServer server;
  {
    Command command{{FAULTLINE_HTTP_FIXTURE, "--port", std::to_string(port), "--bind", "127.0.0.1"},
                    dir.path,
                    {}};
    if (python)
      command = Command{
          {"python3", "-m", "http.server", "--bind", "127.0.0.1", std::to_string(port)}, www, {}};
    auto started = spawn_process(command, dir.path + "/http.log");
    if (!started.ok()) {
      std::fprintf(stderr, "rto_accuracy: cannot start %s: %s\n", server_name,
                   started.error().message.c_str());
      return 1;
    }
    server.process = *started;
  }
  std::string pidfile = dir.path + "/server.pid";
  if (Status written = write_file_atomically(pidfile, std::to_string(server.process->pid) + "\n");
      !written) {
    std::fprintf(stderr, "rto_accuracy: %s\n", written.error().message.c_str());
    return 1;
  }

  // The healthy-server baseline, through the very probe the drills use.
  auto target = make_local_target();
  std::vector<double> baseline;
  {
    auto load = load_plan_text(dir.path + "/baseline.yaml",
                               plan_text(port, pidfile, 50, options.pause, 100), registry);
    if (!load.plan) {
      std::fprintf(stderr, "rto_accuracy: the benchmark plan does not load: %s\n",
                   load.diagnostics.empty() ? "?" : load.diagnostics.front().message.c_str());
      return 1;
    }
    const ProbeSpec& probe = load.plan->steady_state.probes.at(0);
    MonoTime deadline = MonoClock::now() + Millis(10000);
    while (!run_probe(probe, *target).ok) {
      if (MonoClock::now() > deadline || g_interrupted) {
        std::fprintf(stderr, "rto_accuracy: %s on port %d did not answer within 10s\n", server_name,
                     port);
        return 1;
      }
      std::this_thread::sleep_for(Millis(50));
    }
    for (int i = 0; i < kBaselineSamples && !g_interrupted; ++i) {
      ProbeSample sample = run_probe(probe, *target);
      if (sample.ok) baseline.push_back(sample.latency_ms);
    }
  }
  Stats base = stats(baseline);

  std::printf(
      "rto_accuracy: process.pause of %s (--server %s) for %s, K=%d, http probe timeout %dms, %d "
      "run(s) per interval\n",
      server_name, python ? "python" : "fixture", format_duration(options.pause).c_str(),
      kRecoveredAfter, kProbeTimeoutMs, options.runs);
  std::printf(
      "baseline: http probe round trip against the healthy server: p50 %.2f ms, p95 %.2f ms (%zu "
      "samples)\n",
      base.p50, base.p95, baseline.size());
  std::fflush(stdout);

  auto view = make_view(ViewOptions{LogFormat::text, false, true});
  std::mt19937 random{std::random_device{}()};
  std::vector<IntervalResult> results;
  for (int interval_ms : options.intervals_ms) {
    IntervalResult result;
    result.interval_ms = interval_ms;
    std::uniform_int_distribution<int> phase(0, interval_ms - 1);
    for (int run = 0; run < options.runs && !g_interrupted; ++run) {
      std::string path = dir.path + fmt::format("/pause-{}ms.yaml", interval_ms);
      auto load = load_plan_text(
          path, plan_text(port, pidfile, interval_ms, options.pause, 100 + phase(random)),
          registry);
      if (!load.plan) {
        std::fprintf(stderr, "rto_accuracy: the benchmark plan does not load: %s\n",
                     load.diagnostics.empty() ? "?" : load.diagnostics.front().message.c_str());
        return 1;
      }
      DrillOptions drill_options;
      drill_options.home = dir.path + "/home";
      drill_options.operator_name = "rto_accuracy";
      drill_options.target = target;
      drill_options.records_dir = dir.path + "/records";
      DrillReport report = run_drill(*load.plan, drill_options, *view);
      const FaultRun& fault = report.faults.at(0);
      if (report.exit_code != 0 || !report.measurements.rto_ms || !fault.injected_ms ||
          !fault.rolled_back_ms) {
        ++result.failed_runs;
        if (result.first_failure.empty()) {
          result.first_failure = fmt::format("run {}: {} (exit {}): {}", run + 1, report.verdict,
                                             report.exit_code, report.reason);
        }
        continue;
      }
      double truth = *fault.rolled_back_ms - *fault.injected_ms;
      result.truths.push_back(truth);
      result.errors.push_back(*report.measurements.rto_ms - truth);
      for (const Round& round : report.rounds) {
        if (report.measurements.recovery_point_ms &&
            round.ended_ms == *report.measurements.recovery_point_ms) {
          result.in_flight += round.started_ms < *fault.rolled_back_ms ? 1 : 0;
          break;
        }
      }
    }
    results.push_back(std::move(result));
    if (g_interrupted) break;
  }

  std::printf("\n%8s %5s %10s %9s %9s %9s %9s %9s %12s %9s %10s  %s\n", "interval", "runs",
              "truth p50", "err mean", "err p50", "err p95", "err min", "err max", "p95/interval",
              "p95/base", "in flight", "result");
  bool all_met = !g_interrupted;
  for (const auto& result : results) {
    Stats err = stats(result.errors);
    Stats truth = stats(result.truths);
    double fraction = err.p95 / result.interval_ms;
    bool met = result.failed_runs == 0 && !result.errors.empty() && fraction <= kTarget;
    all_met = all_met && met;
    std::printf("%6d ms %5zu %10.1f %9.1f %9.1f %9.1f %9.1f %9.1f %12.2f %9.1f %10s  %s\n",
                result.interval_ms, result.errors.size(), truth.p50, err.mean, err.p50, err.p95,
                err.min, err.max, fraction, base.p50 > 0 ? err.p95 / base.p50 : 0.0,
                fmt::format("{}/{}", result.in_flight, result.errors.size()).c_str(),
                met ? "PASS" : "FAIL");
    if (result.failed_runs > 0) {
      std::printf("         %d drill(s) did not pass; first: %s\n", result.failed_runs,
                  result.first_failure.c_str());
    }
  }
  std::printf(
      "errors in ms (measured RTO - ground truth); target: p95 error <= %.1f x the probe "
      "interval\n",
      kTarget);
  std::printf(
      "p95/base: p95 error / baseline p50; in flight: runs whose recovery round was sent before "
      "SIGCONT\n"
      "(its error is the time from SIGCONT to the first answer, whatever the interval: the "
      "server's\n"
      "catch-up, ~0 for the fixture, plus the runner waking every waiting round at once)\n");
  if (g_interrupted)
    std::printf("interrupted by signal %d: results are partial\n", g_interrupted.load());
  return all_met ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  // Caught here so that the server and the temp dir are cleaned up on the way out.
  try {
    return run_benchmark(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "rto_accuracy: %s\n", error.what());
    return 1;
  }
}

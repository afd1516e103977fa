// What Lua plugins cost the runner, each figure against a baseline measured in the same
// run:
//   1. a Lua probe call: the inline probe `return true` (all host overhead: a pooled
//      state, the params, the protected call, the result) against a C++ probe that does
//      nothing, through the same Probe interface; and a Lua probe doing http.get against
//      the built-in http probe, both against faultline-http-fixture. Target: < 50 us.
//   2. start-up with 50 Lua plugins: `faultline --plugins DIR types --json` against the
//      same command with an empty plugin folder. Target: < 100 ms added.
// usage: lua_plugins [--calls N] [--starts N]
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "plugins/lua/lua_plugin.h"
#include "runner/os/local_target.h"
#include "runner/os/subprocess.h"
#include "runner/probes/probes.h"
#include "runner/runner.h"

using namespace faultline;

namespace {

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  size_t index = static_cast<size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

class NothingProbe final : public Probe {
 public:
  std::string describe() const override { return "nothing"; }
  ProbeOutcome check(Target&) const override { return {true, "ok"}; }
};

// Microseconds per check, one sample per call.
std::vector<double> time_checks(const Probe& probe, Target& target, int calls) {
  std::vector<double> samples;
  for (int i = 0; i < 50; ++i) (void)probe.check(target);  // warm the pool and caches
  for (int i = 0; i < calls; ++i) {
    MonoTime start = MonoClock::now();
    ProbeOutcome outcome = probe.check(target);
    samples.push_back(std::chrono::duration<double, std::micro>(MonoClock::now() - start).count());
    if (!outcome.ok) {
      std::fprintf(stderr, "probe failed: %s\n", outcome.detail.c_str());
      std::exit(1);
    }
  }
  return samples;
}

void print_pair(const char* what, const std::vector<double>& subject,
                const std::vector<double>& baseline) {
  double p50 = percentile(subject, 0.5), base50 = percentile(baseline, 0.5);
  double p99 = percentile(subject, 0.99), base99 = percentile(baseline, 0.99);
  std::printf(
      "%-34s p50 %8.1f us  p99 %8.1f us | baseline p50 %8.1f us  p99 %8.1f us | "
      "overhead p50 %6.1f us  (target < 50 us: %s)\n",
      what, p50, p99, base50, base99, p50 - base50, p50 - base50 < 50 ? "met" : "MISSED");
}

std::unique_ptr<Probe> configure(const ProbeType& type, const Json& params) {
  auto probe = type.configure(Params(params));
  if (!probe.ok()) {
    std::fprintf(stderr, "cannot configure: %s\n", probe.error().message.c_str());
    std::exit(1);
  }
  return std::move(*probe);
}

double median_start_ms(const std::vector<std::string>& args, int runs) {
  std::vector<double> samples;
  for (int i = 0; i < runs; ++i) {
    MonoTime start = MonoClock::now();
    auto ran = run_command(Command(args), Millis(30000));
    samples.push_back(std::chrono::duration<double, std::milli>(MonoClock::now() - start).count());
    if (!ran.ok() || ran->exit_code != 0) {
      std::fprintf(stderr, "faultline failed: %s\n", ran.ok() ? ran->err.c_str() : "");
      std::exit(1);
    }
  }
  return percentile(samples, 0.5);
}

}  // namespace

int main(int argc, char** argv) {
  int calls = 20000, starts = 15;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--calls") == 0) calls = std::atoi(argv[i + 1]);
    if (std::strcmp(argv[i], "--starts") == 0) starts = std::atoi(argv[i + 1]);
  }
  auto target = make_local_target();
  Registry registry;
  if (!register_builtin_types(registry).ok()) return 1;

  std::printf("1. a Lua probe call (%d calls each)\n", calls);
  auto lua_true = configure(*registry.probe_type("lua"), Json{{"code", "return true"}});
  NothingProbe nothing;
  print_pair("lua `return true` vs C++ nothing", time_checks(*lua_true, *target, calls),
             time_checks(nothing, *target, calls));

  std::string dir =
      std::filesystem::temp_directory_path() / ("faultline-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir + "/plugins");
  std::filesystem::create_directories(dir + "/empty");
  // A port unlikely to be taken; the run stops below if nothing answers on it.
  int port = 20000 + ::getpid() % 20000;
  Command fixture({FAULTLINE_HTTP_FIXTURE, "--port", std::to_string(port)});
  auto server = spawn_process(fixture, dir + "/fixture.log");
  if (!server.ok()) return 1;
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  for (int i = 0; i < 100 && !target->http({"GET", url, {}, "", Millis(200)}).ok(); ++i) {
    std::this_thread::sleep_for(Millis(50));
  }
  if (!target->http({"GET", url, {}, "", Millis(1000)}).ok()) {
    std::fprintf(stderr, "faultline-http-fixture did not answer on port %d\n", port);
    return 1;
  }
  auto lua_http =
      configure(*registry.probe_type("lua"),
                Json{{"code", "return http.get(url).status == 200"}, {"vars", Json{{"url", url}}}});
  auto builtin_http =
      configure(*registry.probe_type("http"),
                Json{{"url", url}, {"method", "GET"}, {"expect_status", 200}, {"timeout", 1000}});
  int http_calls = std::max(1, calls / 10);
  print_pair("lua http.get vs built-in http", time_checks(*lua_http, *target, http_calls),
             time_checks(*builtin_http, *target, http_calls));
  (void)target->signal_group(*server, SIGKILL);
  (void)reap_child(server->pid);

  std::printf("2. start-up with 50 Lua plugins (median of %d starts each)\n", starts);
  for (int i = 0; i < 50; ++i) {
    std::ofstream plugin(dir + "/plugins/p" + std::to_string(i) + ".lua");
    plugin << "faultline.fault {name = 'bench" << i << ".flag', summary = 'a flag',\n"
           << "  params = {{name = 'path', kind = 'string', required = true, doc = 'file'},\n"
           << "            {name = 'wait', kind = 'duration', default = '2s'}},\n"
           << "  validate = function(p) if p.path == '' then return 'empty', 'path' end end,\n"
           << "  inject = function(p) journal({path = p.path}) run({'touch', p.path}) end,\n"
           << "  rollback = function(s) run({'rm', '-f', s.path}) end}\n"
           << "faultline.probe {name = 'bench" << i << ".absent', summary = 'no file',\n"
           << "  params = {{name = 'path', kind = 'string', required = true}},\n"
           << "  check = function(p) return run({'test', '!', '-e', p.path}).code == 0 end}\n";
  }
  double with = median_start_ms(
      {FAULTLINE_BINARY, "--home", dir + "/home", "--plugins", dir + "/plugins", "types", "--json"},
      starts);
  double without = median_start_ms(
      {FAULTLINE_BINARY, "--home", dir + "/home", "--plugins", dir + "/empty", "types", "--json"},
      starts);
  std::printf(
      "%-34s %8.1f ms | baseline (no plugins) %8.1f ms | added %6.1f ms  (target < 100 "
      "ms: %s)\n",
      "faultline types with 50 plugins", with, without, with - without,
      with - without < 100 ? "met" : "MISSED");
  std::filesystem::remove_all(dir);
  return 0;
}

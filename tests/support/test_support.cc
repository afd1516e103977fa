#include "tests/support/test_support.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <functional>
#include <thread>

#include "runner/os/files.h"
#include "runner/os/local_target.h"
#include "runner/os/process.h"
#include "runner/runner.h"

namespace faultline::testing {

TempDir::TempDir() {
  char pattern[] = "/tmp/faultline-test-XXXXXX";
  char* made = mkdtemp(pattern);
  REQUIRE(made != nullptr);
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& content) const {
  std::string path = file(name);
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  REQUIRE(write_file_atomically(path, content).ok());
  return path;
}

CliRun run_cli(const std::vector<std::string>& args, const std::string& home, Millis timeout) {
  Command command;
  command.argv = {FAULTLINE_BINARY};
  if (!home.empty()) command.argv.insert(command.argv.end(), {"--home", home});
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.cwd = FAULTLINE_SOURCE_DIR;
  auto result = run_command(command, timeout, {}, 16 * 1024 * 1024);
  REQUIRE(result.ok());
  REQUIRE_FALSE(result->timed_out);
  return CliRun{result->exit_code, result->out, result->err};
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t size = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  close(fd);
  return ntohs(address.sin_port);
}

OwnedProcess::OwnedProcess(const Command& command, const std::string& log_path)
    : process_([&] {
        auto started = spawn_process(command, log_path);
        REQUIRE(started.ok());
        return *started;
      }()) {}

OwnedProcess::~OwnedProcess() {
  if (reaped_) return;
  // Resume first: a stopped process still dies from SIGKILL, but be explicit.
  kill(process_.pid, SIGCONT);
  kill(-process_.pid, SIGKILL);
  waitpid(process_.pid, nullptr, 0);
}

int OwnedProcess::wait(Millis timeout) {
  MonoTime deadline = MonoClock::now() + timeout;
  int status = 0;
  while (MonoClock::now() < deadline) {
    if (waitpid(process_.pid, &status, WNOHANG) == process_.pid) {
      reaped_ = true;
      return status;
    }
    std::this_thread::sleep_for(Millis(10));
  }
  return -1;
}

bool eventually(const std::function<bool()>& condition, Millis timeout) {
  MonoTime deadline = MonoClock::now() + timeout;
  while (MonoClock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(Millis(20));
  }
  return condition();
}

double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

double reaped_children_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_CHILDREN, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

namespace {

// Starts `command` and returns once an HTTP GET on the port answers.
std::unique_ptr<OwnedProcess> start_and_wait_for_http(const Command& command, int port,
                                                      const TempDir& dir) {
  auto server =
      std::make_unique<OwnedProcess>(command, dir.file("http-" + std::to_string(port) + ".log"));
  Target& target = *make_local_target();
  bool up = eventually([&] { return target.tcp_connect("127.0.0.1", port, Millis(500)).ok(); },
                       Millis(10000));
  REQUIRE(up);
  return server;
}

}  // namespace

std::unique_ptr<OwnedProcess> start_http_server(int port, const TempDir& dir) {
  Command command{{"python3", "-m", "http.server", "--bind", "127.0.0.1", std::to_string(port)},
                  dir.path()};
  return start_and_wait_for_http(command, port, dir);
}

std::unique_ptr<OwnedProcess> start_http_fixture(int port, const TempDir& dir) {
  Command command{{FAULTLINE_HTTP_FIXTURE, "--port", std::to_string(port), "--bind", "127.0.0.1"},
                  dir.path()};
  return start_and_wait_for_http(command, port, dir);
}

Json read_json(const std::string& path) {
  auto text = read_file(path);
  REQUIRE(text.ok());
  return Json::parse(*text);
}

Json only_record(const std::string& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".json") found.push_back(entry.path().string());
  }
  REQUIRE(found.size() == 1);
  return read_json(found[0]);
}

std::string fast_plan(const std::string& name, const std::string& faults, const std::string& probes,
                      const std::string& extra) {
  return "version: 1\nname: " + name + "\n" + extra +
         "steady_state:\n  interval: 50ms\n  baseline_rounds: 1\n  recovered_after: 1\n"
         "  probes:\n" +
         probes + "faults:\n" + faults;
}

const Registry& builtin_registry() {
  static const Registry* registry = [] {
    auto* made = new Registry;  // never freed: tests may use it until exit
    REQUIRE(register_builtin_types(*made).ok());
    return made;
  }();
  return *registry;
}

std::string source_path(const std::string& relative) {
  return std::string(FAULTLINE_SOURCE_DIR) + "/" + relative;
}

std::unique_ptr<OwnedProcess> start_faultline(const std::vector<std::string>& args,
                                              const std::string& home,
                                              const std::string& log_path) {
  std::vector<std::string> with_home = {"--home", home};
  with_home.insert(with_home.end(), args.begin(), args.end());
  return start_cli(with_home, log_path, {{"FAULTLINE_LOCK_DIR", home + "/locks"}});
}

CliRun run_drill_cli(const std::vector<std::string>& args, const std::string& home,
                     Millis timeout) {
  return run_cli_env(args, home, {{"FAULTLINE_LOCK_DIR", home + "/locks"}}, timeout);
}

CliRun run_cli_env(const std::vector<std::string>& args, const std::string& home,
                   const std::map<std::string, std::string>& env, Millis timeout) {
  Command command;
  command.argv = {FAULTLINE_BINARY};
  if (!home.empty()) command.argv.insert(command.argv.end(), {"--home", home});
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.cwd = FAULTLINE_SOURCE_DIR;
  command.env = env;
  auto result = run_command(command, timeout, {}, 16 * 1024 * 1024);
  REQUIRE(result.ok());
  REQUIRE_FALSE(result->timed_out);
  return CliRun{result->exit_code, result->out, result->err};
}

std::string text_of(const std::string& path) {
  auto text = read_file(path);
  return text.ok() ? *text : "";
}

std::string junit_schema_problems(const std::string& xml_path) {
  Command xmllint(
      {"xmllint", "--noout", "--schema", source_path("tests/data/junit.xsd"), xml_path});
  auto run = run_command(xmllint, Millis(60000));
  if (!run.ok()) return "cannot run xmllint (install libxml2-utils): " + run.error().message;
  if (run->exit_code == 0) return "";
  return "xmllint exit " + std::to_string(run->exit_code) + ": " + run->err;
}

std::vector<std::string> phase_names(const Json& record) {
  std::vector<std::string> names;
  for (const auto& phase : record["phases"]) names.push_back(phase["name"].get<std::string>());
  return names;
}

std::unique_ptr<OwnedProcess> start_silent_listener(int port, const TempDir& dir) {
  std::string script =
      "import socket, time\n"
      "s = socket.socket()\n"
      "s.bind(('127.0.0.1', " +
      std::to_string(port) +
      "))\n"
      "s.listen(64)\n"
      "time.sleep(300)\n";
  auto holder =
      std::make_unique<OwnedProcess>(Command{{"python3", "-c", script}, dir.path()},
                                     dir.file("listener-" + std::to_string(port) + ".log"));
  Target& target = *make_local_target();
  REQUIRE(eventually([&] { return target.listener(port).has_value(); }, Millis(10000)));
  return holder;
}

std::unique_ptr<OwnedProcess> start_cli(const std::vector<std::string>& args,
                                        const std::string& log_path,
                                        const std::map<std::string, std::string>& env) {
  Command command;
  command.argv = {FAULTLINE_BINARY};
  command.argv.insert(command.argv.end(), args.begin(), args.end());
  command.cwd = FAULTLINE_SOURCE_DIR;
  command.env = env;
  return std::make_unique<OwnedProcess>(command, log_path);
}

bool file_contains(const std::string& path, const std::string& text) {
  auto content = read_file(path);
  return content.ok() && content->find(text) != std::string::npos;
}

std::vector<pid_t> live_processes_in_group(pid_t group) {
  std::vector<pid_t> members;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string base = entry.path().filename().string();
    if (base.empty() || !std::all_of(base.begin(), base.end(), ::isdigit)) continue;
    pid_t pid = std::stoi(base);
    auto id = identify_process(pid);
    if (!id.ok()) continue;
    auto info = describe_process(*id);
    if (info.ok() && info->group == group && info->state != 'Z') members.push_back(pid);
  }
  return members;
}

std::string sleep_named(const TempDir& dir, const std::string& name) {
  std::string path = dir.file(name);
  std::filesystem::copy_file("/bin/sleep", path);
  std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  return path;
}

WaitingThread::WaitingThread() {
  std::promise<pid_t> started;
  std::future<pid_t> id = started.get_future();
  // The promises move into the thread: nothing it touches dies before it does.
  thread_ = std::thread([started = std::move(started), released = release_.get_future()]() mutable {
    started.set_value(static_cast<pid_t>(::syscall(SYS_gettid)));
    released.wait();
  });
  id_ = id.get();
}

WaitingThread::~WaitingThread() {
  release_.set_value();
  thread_.join();
}

}  // namespace faultline::testing

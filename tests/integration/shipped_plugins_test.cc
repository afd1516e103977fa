// The plugins shipped with faultline (plugins/shipped), each against a real effect with
// its rollback proven: CPU time really burnt, memory really resident, a real (tmpfs)
// filesystem really filled, and nothing left after rollback or after recover.
#include <signal.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "runner/os/journal.h"
#include "tests/support/skip.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

// Process groups a drill's journal says its faults started in the background.
std::vector<pid_t> started_groups(const std::string& home) {
  std::vector<pid_t> groups;
  for (const auto& path : list_journals(home + "/journal")) {
    JournalContents contents = parse_journal(path, text_of(path));
    for (const auto& action : contents.intents) {
      if (action.type == "process-group" && action.key.rfind("fault/", 0) == 0 &&
          action.rollback.contains("pid")) {
        groups.push_back(action.rollback["pid"].get<pid_t>());
      }
    }
  }
  return groups;
}

// utime + stime of every live process in `group`, in clock ticks.
int64_t cpu_ticks_of_group(pid_t group) {
  int64_t ticks = 0;
  for (pid_t pid : live_processes_in_group(group)) {
    std::string stat = text_of("/proc/" + std::to_string(pid) + "/stat");
    size_t close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 2));
    std::string field;
    int64_t utime = 0, stime = 0;
    for (int i = 3; fields >> field; ++i) {
      if (i == 14) utime = std::stoll(field);
      if (i == 15) {
        stime = std::stoll(field);
        break;
      }
    }
    ticks += utime + stime;
  }
  return ticks;
}

int64_t rss_kb_of_group(pid_t group) {
  int64_t kb = 0;
  for (pid_t pid : live_processes_in_group(group)) {
    std::string status = text_of("/proc/" + std::to_string(pid) + "/status");
    size_t at = status.find("VmRSS:");
    if (at != std::string::npos) kb += std::stoll(status.substr(at + 6));
  }
  return kb;
}

std::string shipped_plan(const std::string& name, const std::string& fault) {
  return fast_plan(name, "  - " + fault + "\n");
}

// A tmpfs of `megabytes` the test mounts, unmounted (and its folder removed) even when
// the test fails.
class SmallTmpfs {
 public:
  SmallTmpfs(const TempDir& dir, int megabytes) : path_(dir.file("tmpfs")) {
    std::filesystem::create_directories(path_);
    std::string options = "size=" + std::to_string(megabytes) + "m";
    mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0, options.c_str()) == 0;
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& path() const { return path_; }
  double used_percent() const {
    struct statvfs info {};
    if (::statvfs(path_.c_str(), &info) != 0) return -1;
    double used = static_cast<double>(info.f_blocks - info.f_bfree);
    return 100.0 * used / static_cast<double>(used + info.f_bavail);
  }

 private:
  std::string path_;
  bool mounted_ = false;
};

// Starts a drill whose disk.fill fills `tmpfs` to `percent` for `duration`.
std::unique_ptr<OwnedProcess> start_disk_fill(const TempDir& dir, const SmallTmpfs& tmpfs,
                                              const std::string& duration, int percent) {
  std::string fault = "{name: fill, type: disk.fill, at: 0s, duration: " + duration +
                      ", params: {path: " + tmpfs.path() + ", percent: " + std::to_string(percent) +
                      "}}";
  return start_faultline({"run", dir.write("plan.yaml", shipped_plan("fill", fault)), "--records",
                          dir.file("records")},
                         dir.file("home"), dir.file("runner.log"));
}

}  // namespace

TEST_CASE("cpu.burn burns the cores it is asked for, measured, and stops on rollback") {
  TempDir dir;
  std::string home = dir.file("home");
  auto runner = start_faultline(
      {"run",
       dir.write("plan.yaml", shipped_plan("burn",
                                           "{name: burn, type: cpu.burn, at: 0s, "
                                           "duration: 2500ms, params: {cores: 1}}")),
       "--records", dir.file("records")},
      home, dir.file("runner.log"));
  std::vector<pid_t> groups;
  REQUIRE(eventually(
      [&] {
        groups = started_groups(home);
        return !groups.empty() && !live_processes_in_group(groups[0]).empty();
      },
      Millis(10000)));
  // Baseline in the same run: a sleeping process burns nothing.
  OwnedProcess idle(Command({"sleep", "5"}), dir.file("idle.log"));
  int64_t burn_before = cpu_ticks_of_group(groups[0]);
  int64_t idle_before = cpu_ticks_of_group(idle.pid());
  std::this_thread::sleep_for(Millis(1000));
  int64_t burnt = cpu_ticks_of_group(groups[0]) - burn_before;
  int64_t idled = cpu_ticks_of_group(idle.pid()) - idle_before;
  double cores = static_cast<double>(burnt) / static_cast<double>(sysconf(_SC_CLK_TCK));
  INFO("burner used " << cores << " core-seconds in 1s; the idle baseline " << idled
                      << " ticks; load: " << text_of("/proc/loadavg"));
  // The machine is shared (six builds at once): the burner gets its share, never nothing.
  CHECK(cores > 0.05);
  CHECK(idled <= 1);
  REQUIRE(runner->wait(Millis(30000)) != -1);
  INFO(text_of(dir.file("runner.log")));
  CHECK(live_processes_in_group(groups[0]).empty());
  Json record = only_record(dir.file("records"));
  CHECK(record["exit_code"] == 0);
  CHECK(record["faults"][0]["rollback"]["outcome"] == "undone");
}

TEST_CASE("memory.hog holds resident memory until rolled back, and refuses past the margin") {
  TempDir dir;
  std::string home = dir.file("home");
  auto runner =
      start_faultline({"run",
                       dir.write("plan.yaml", shipped_plan("hog",
                                                           "{name: hog, type: memory.hog, at: 0s, "
                                                           "duration: 1500ms, params: {mb: 64}}")),
                       "--records", dir.file("records")},
                      home, dir.file("runner.log"));
  // Its steps' groups: the commands it ran (gone) and the hog.
  std::vector<pid_t> groups;
  CHECK(eventually(
      [&] {
        groups = started_groups(home);
        int64_t rss_kb = 0;
        for (pid_t group : groups) rss_kb += rss_kb_of_group(group);
        return rss_kb >= 64 * 1024;
      },
      Millis(10000)));
  REQUIRE(runner->wait(Millis(30000)) != -1);
  INFO(text_of(dir.file("runner.log")));
  REQUIRE_FALSE(groups.empty());
  for (pid_t group : groups) CHECK(live_processes_in_group(group).empty());
  CHECK(only_record(dir.file("records"))["faults"][0]["rollback"]["outcome"] == "undone");

  // Far more than any machine here has: refused before anything starts (exit 3).
  CliRun refused =
      run_drill_cli({"run",
                     dir.write("huge.yaml", shipped_plan("huge",
                                                         "{name: hog, type: memory.hog, at: 0s, "
                                                         "params: {mb: 100000000}}")),
                     "--records", dir.file("records2")},
                    dir.file("home2"));
  CHECK(refused.exit_code == 3);
  Json record = only_record(dir.file("records2"));
  bool refused_in_preflight = false;
  for (const auto& check : record["preflight"]) {
    if (check["ok"] == false && mentions(check["detail"].get<std::string>(),
                                         "would leave less than the 512 MB margin free")) {
      refused_in_preflight = true;
    }
  }
  INFO(record["preflight"].dump(2));
  CHECK(refused_in_preflight);
  CHECK(record["faults"][0]["injected_at_ms"].is_null());
}

TEST_CASE("disk.fill fills a real filesystem to the percentage, removed on rollback") {
  TempDir dir;
  SmallTmpfs tmpfs(dir, 16);
  if (!tmpfs.mounted()) {
    skip_test("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)");
    return;
  }
  auto runner = start_disk_fill(dir, tmpfs, "1s", 80);
  double peak = 0;
  eventually(
      [&] {
        peak = std::max(peak, tmpfs.used_percent());
        return peak >= 80;
      },
      Millis(10000));
  CHECK(peak >= 80);
  CHECK(peak < 82);
  REQUIRE(runner->wait(Millis(30000)) != -1);
  INFO(text_of(dir.file("runner.log")));
  CHECK(tmpfs.used_percent() < 1);
  CHECK_FALSE(std::filesystem::exists(tmpfs.path() + "/.faultline-disk-fill"));
  CHECK(only_record(dir.file("records"))["exit_code"] == 0);
}

TEST_CASE("disk.fill is undone by recover after the runner is SIGKILLed") {
  TempDir dir;
  SmallTmpfs tmpfs(dir, 16);
  if (!tmpfs.mounted()) {
    skip_test("cannot mount a tmpfs here (needs root and CAP_SYS_ADMIN)");
    return;
  }
  std::string home = dir.file("home");
  auto runner = start_disk_fill(dir, tmpfs, "60s", 50);
  REQUIRE(eventually([&] { return tmpfs.used_percent() >= 50; }, Millis(10000)));
  kill(runner->pid(), SIGKILL);
  REQUIRE(runner->wait(Millis(5000)) != -1);
  CHECK(tmpfs.used_percent() >= 50);
  CliRun recover = run_cli({"recover"}, home);
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 0);
  CHECK(tmpfs.used_percent() < 1);
}

TEST_CASE("cpu.burn burners are stopped by recover after the runner is SIGKILLed") {
  TempDir dir;
  std::string home = dir.file("home");
  auto runner =
      start_faultline({"run",
                       dir.write("plan.yaml", shipped_plan("burn",
                                                           "{name: burn, type: cpu.burn, at: 0s, "
                                                           "duration: 60s, params: {cores: 2}}")),
                       "--records", dir.file("records")},
                      home, dir.file("runner.log"));
  std::vector<pid_t> groups;
  REQUIRE(eventually(
      [&] {
        groups = started_groups(home);
        return groups.size() == 2 && !live_processes_in_group(groups[1]).empty();
      },
      Millis(10000)));
  kill(runner->pid(), SIGKILL);
  REQUIRE(runner->wait(Millis(5000)) != -1);
  CHECK_FALSE(live_processes_in_group(groups[0]).empty());
  CliRun recover = run_cli({"recover"}, home);
  INFO(recover.out << recover.err);
  CHECK(recover.exit_code == 0);
  for (pid_t group : groups) CHECK(live_processes_in_group(group).empty());
}

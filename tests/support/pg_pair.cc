#include "tests/support/pg_pair.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cctype>
#include <filesystem>
#include <sstream>

#include "runner/os/subprocess.h"

namespace faultline::testing {
namespace {

CliRun run_checked(const std::vector<std::string>& argv, Millis timeout) {
  auto result = run_command(Command(argv), timeout, {}, 1024 * 1024);
  REQUIRE(result.ok());
  return CliRun{result->timed_out ? -2 : result->exit_code, result->out, result->err};
}

}  // namespace

std::string pg_pair_script() { return source_path("scenarios/fixtures/pg-pair"); }

namespace {

// Live (not zombie) processes whose working directory is `dir` or below it.
std::vector<pid_t> processes_in(const std::string& dir) {
  std::vector<pid_t> found;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    std::string name = entry.path().filename();
    if (name.empty() || !std::isdigit(static_cast<unsigned char>(name[0]))) continue;
    std::error_code unreadable;
    std::string cwd = std::filesystem::read_symlink(entry.path() / "cwd", unreadable);
    if (unreadable || (cwd != dir && cwd.rfind(dir + "/", 0) != 0)) continue;
    std::string stat = text_of(entry.path() / "stat");
    size_t close = stat.rfind(") ");
    if (close == std::string::npos || stat.substr(close + 2, 1) == "Z") continue;
    found.push_back(std::stoi(name));
  }
  return found;
}

}  // namespace

std::vector<pid_t> wait_for_no_processes_in(const std::string& dir, Millis timeout) {
  std::vector<pid_t> left;
  eventually([&] { return (left = processes_in(dir)).empty(); }, timeout);
  return left;
}

PgPair::PgPair(Replication replication) : dir_(base_.path() + "/pair") {
  ::chmod(base_.path().c_str(), 0755);  // the postgres user walks through it
  std::vector<std::string> argv{pg_pair_script(), "up", dir_};
  if (replication == Replication::sync) argv.push_back("--sync");
  CliRun up = run_checked(argv, Millis(90000));
  INFO(up.out << up.err);
  REQUIRE(up.exit_code == 0);
  std::istringstream lines(up.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("PG_NODE1_PORT=", 0) == 0) node1_port_ = std::stoi(line.substr(14));
    if (line.rfind("PG_NODE2_PORT=", 0) == 0) node2_port_ = std::stoi(line.substr(14));
  }
  REQUIRE(node1_port_ > 0);
  REQUIRE(node2_port_ > 0);
}

PgPair::~PgPair() { (void)run_command(Command({pg_pair_script(), "down", dir_}), Millis(30000)); }

std::string PgPair::conninfo() const {
  return "host=127.0.0.1,127.0.0.1 port=" + std::to_string(node1_port_) + "," +
         std::to_string(node2_port_) +
         " user=postgres dbname=postgres target_session_attrs=read-write";
}

std::string PgPair::node_conninfo(int port) const {
  return "host=127.0.0.1 port=" + std::to_string(port) + " user=postgres dbname=postgres";
}

CliRun PgPair::try_psql(int port, const std::string& sql) const {
  return run_checked({"runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/psql", "-X",
                      "-q", "-At", "-h", "127.0.0.1", "-p", std::to_string(port), "-U", "postgres",
                      "-d", "postgres", "-c", sql},
                     Millis(30000));
}

std::string PgPair::psql(int port, const std::string& sql) const {
  CliRun run = try_psql(port, sql);
  INFO("psql -c " << sql << ": " << run.err);
  REQUIRE(run.exit_code == 0);
  std::string out = run.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

std::vector<std::string> PgPair::vars() const {
  return {"--var", "PG_DIR=" + dir_,
          "--var", "PG_NODE1_PORT=" + std::to_string(node1_port_),
          "--var", "PG_NODE2_PORT=" + std::to_string(node2_port_)};
}

}  // namespace faultline::testing

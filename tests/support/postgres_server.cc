#include "tests/support/postgres_server.h"

#include <fmt/format.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "runner/os/files.h"

namespace faultline::testing {
namespace {

constexpr const char* kBin = "/usr/lib/postgresql/15/bin";

ExecResult as_postgres(std::vector<std::string> argv, Millis timeout = Millis(60000)) {
  argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  auto run = run_command(Command(argv), timeout);
  REQUIRE(run.ok());
  return *run;
}

}  // namespace

std::string postgres_unavailable() {
  if (geteuid() != 0) return "PostgreSQL tests need root (to run the server as user postgres)";
  if (getpwnam("postgres") == nullptr) return "there is no user postgres";
  if (!std::filesystem::exists(std::string(kBin) + "/initdb")) {
    return std::string("PostgreSQL 15 is not installed (no ") + kBin + "/initdb)";
  }
  return "";
}

PostgresServer::PostgresServer() : dir_(std::make_unique<TempDir>()) {
  std::string unavailable = postgres_unavailable();
  INFO(unavailable);
  REQUIRE(unavailable.empty());
  passwd* user = getpwnam("postgres");
  std::string root = dir_->file("pg");
  std::filesystem::permissions(dir_->path(), std::filesystem::perms(0755));
  REQUIRE(make_directories(root, 0700).ok());
  REQUIRE(chown(root.c_str(), user->pw_uid, user->pw_gid) == 0);
  data_ = root + "/data";
  ExecResult init = as_postgres({std::string(kBin) + "/initdb", "-D", data_, "-A", "trust", "-U",
                                 "postgres", "--no-sync", "-E", "UTF8"});
  INFO(init.out << init.err);
  REQUIRE(init.exit_code == 0);
  port_ = free_port();
  std::string options = fmt::format(
      "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c max_connections=100", port_, root);
  ExecResult start = as_postgres({std::string(kBin) + "/pg_ctl", "-D", data_, "-w", "-l",
                                  root + "/log", "-o", options, "start"});
  stopper_.data = data_;
  INFO(start.out << start.err << text_of(root + "/log"));
  REQUIRE(start.exit_code == 0);
}

PostgresServer::Stopper::~Stopper() {
  if (data.empty()) return;
  auto stop = run_command(Command({"runuser", "-u", "postgres", "--", std::string(kBin) + "/pg_ctl",
                                   "-D", data, "-m", "immediate", "-w", "stop"}),
                          Millis(30000));
  if (stop.ok() && stop->exit_code == 0) return;
  // pg_ctl could not stop it: the postmaster (ours: its pid is in our data folder) goes.
  std::string pidfile = text_of(data + "/postmaster.pid");
  pid_t pid = pidfile.empty() ? 0 : std::atoi(pidfile.c_str());
  if (pid > 1) ::kill(pid, SIGKILL);
}

std::string PostgresServer::uri(const std::string& database) const {
  return fmt::format("postgresql://postgres@127.0.0.1:{}/{}", port_, database);
}

std::string PostgresServer::fresh_database() {
  std::string name = fmt::format("test_{}_{}", getpid(), ++databases_);
  sql("postgres", "CREATE DATABASE " + name);
  return uri(name);
}

std::string PostgresServer::sql(const std::string& database, const std::string& statement) const {
  auto run = run_command(Command({"psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1",
                                  uri(database), "-c", statement}),
                         Millis(60000));
  REQUIRE(run.ok());
  INFO(statement << "\n" << run->err);
  REQUIRE(run->exit_code == 0);
  return run->out;
}

PostgresServer& shared_postgres() {
  static PostgresServer server;
  return server;
}

}  // namespace faultline::testing

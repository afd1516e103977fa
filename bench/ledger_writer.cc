// How fast does the ledger writer write? Brings up a PostgreSQL pair with
// scenarios/fixtures/pg-pair (async, or --sync), then for `--seconds` each:
//   baseline: a plain libpq loop of blocking PQexec INSERTs on one connection (shares no
//             code with the writer), as fast as it goes;
//   writer:   LedgerWriter + the postgres LedgerStore at `--rate` (default 100000/s: as
//             fast as it goes), counting acknowledged writes.
// Prints acknowledged writes/s for both and the ratio; exits 1 when the writer sustains
// fewer than --min (1000) acknowledged writes/s, 2 on bad usage. Tears the pair down.
//
//   ledger_writer [--seconds 3] [--rate 100000] [--min 1000] [--sync]
#include "runner/workload/ledger_writer.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <sys/stat.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <thread>

#include "runner/os/subprocess.h"
#include "runner/workload/postgres_ledger.h"

using namespace faultline;

namespace {

double baseline_writes_per_second(const std::string& conninfo, double seconds) {
  PGconn* connection = PQconnectdb(conninfo.c_str());
  if (PQstatus(connection) != CONNECTION_OK) {
    fmt::print(stderr, "baseline: cannot connect: {}", PQerrorMessage(connection));
    PQfinish(connection);
    return 0;
  }
  PQclear(PQexec(connection, "CREATE TABLE IF NOT EXISTS bench_baseline (drill text, seq bigint)"));
  auto start = MonoClock::now();
  auto end = start + std::chrono::duration_cast<MonoClock::duration>(
                         std::chrono::duration<double>(seconds));
  long done = 0;
  while (MonoClock::now() < end) {
    std::string seq = std::to_string(done + 1);
    const char* values[] = {"baseline", seq.c_str()};
    PGresult* result = PQexecParams(connection, "INSERT INTO bench_baseline VALUES ($1, $2)", 2,
                                    nullptr, values, nullptr, nullptr, 0);
    if (PQresultStatus(result) == PGRES_COMMAND_OK) ++done;
    PQclear(result);
  }
  double took = elapsed_ms(start, MonoClock::now()) / 1000.0;
  PQfinish(connection);
  return done / took;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  int rate = 100000;
  double minimum = 1000;
  bool sync = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--seconds" && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else if (arg == "--rate" && i + 1 < argc) {
      rate = std::atoi(argv[++i]);
    } else if (arg == "--min" && i + 1 < argc) {
      minimum = std::atof(argv[++i]);
    } else if (arg == "--sync") {
      sync = true;
    } else {
      fmt::print(stderr, "usage: ledger_writer [--seconds 3] [--rate N] [--min 1000] [--sync]\n");
      return 2;
    }
  }
  char base[] = "/tmp/faultline-bench-XXXXXX";
  if (mkdtemp(base) == nullptr) return 2;
  ::chmod(base, 0755);
  std::string dir = std::string(base) + "/pair";
  std::string script = std::string(FAULTLINE_SOURCE_DIR) + "/scenarios/fixtures/pg-pair";
  std::vector<std::string> up{script, "up", dir};
  if (sync) up.push_back("--sync");
  auto started = run_command(Command(up), Millis(120000));
  int status = 1;
  if (!started.ok() || !started->succeeded()) {
    fmt::print(stderr, "pg-pair up failed: {}\n", started.ok() ? started->err : "");
  } else {
    std::string port;
    std::istringstream lines(started->out);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("PG_NODE1_PORT=", 0) == 0) port = line.substr(14);
    }
    std::string conninfo = "host=127.0.0.1 port=" + port + " user=postgres dbname=postgres";
    double baseline = baseline_writes_per_second(conninfo, seconds);
    Params params(Json{{"conninfo", conninfo}, {"table", "faultline_ledger"}});
    LedgerWriter writer(postgres_ledger_type().open(params, "bench"), rate, Millis(1000),
                        MonoClock::now());
    if (Status ready = writer.start(Millis(10000)); !ready) {
      fmt::print(stderr, "writer: {}\n", ready.error().message);
    } else {
      std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
      writer.stop();
      int64_t acked = 0;
      for (const auto& write : writer.writes()) acked += write.acked_ms ? 1 : 0;
      double per_second = acked / seconds;
      fmt::print("{} replication, {:.1f}s each, rate asked {}/s\n", sync ? "sync" : "async",
                 seconds, rate);
      fmt::print("  baseline (plain PQexec loop): {:8.0f} writes/s\n", baseline);
      fmt::print("  ledger writer:                {:8.0f} acknowledged writes/s ({} errors)\n",
                 per_second, writer.counters().errors);
      fmt::print("  ratio writer/baseline:        {:8.2f}\n",
                 baseline > 0 ? per_second / baseline : 0);
      status = per_second >= minimum ? 0 : 1;
      if (status) fmt::print("  BELOW the {:.0f}/s target\n", minimum);
    }
  }
  (void)run_command(Command({script, "down", dir}), Millis(60000));
  ::rmdir(base);
  return status;
}

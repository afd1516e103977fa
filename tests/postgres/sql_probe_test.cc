// The sql probe against a real PostgreSQL pair on loopback.
#include <signal.h>

#include <catch2/catch.hpp>

#include "runner/os/local_target.h"
#include "runner/os/pg_client.h"
#include "tests/support/pg_pair.h"
#include "tests/support/probe_check.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

ProbeOutcome check_sql(Json params) { return check_probe("sql", std::move(params)); }

}  // namespace

TEST_CASE("the sql probe queries, finds the writable node, and keeps millisecond timeouts") {
  PgPair pair;
  std::string node1 = std::to_string(pair.node1_port());
  std::string node2 = std::to_string(pair.node2_port());

  ProbeOutcome value =
      check_sql({{"conninfo", pair.conninfo()}, {"query", "SELECT 6 * 7"}, {"expect_value", "42"}});
  CHECK(value.ok);
  CHECK(value.detail == "1 row from 127.0.0.1:" + node1 + ": '42'");
  ProbeOutcome rows = check_sql({{"conninfo", pair.node_conninfo(pair.node2_port())},
                                 {"query", "SELECT generate_series(1, 3)"},
                                 {"expect_rows", 2}});
  CHECK_FALSE(rows.ok);
  CHECK(rows.detail == "3 rows from 127.0.0.1:" + node2 + ", expected 2");
  ProbeOutcome wrong = check_sql({{"conninfo", pair.conninfo()},
                                  {"query", "SELECT pg_is_in_recovery()::text"},
                                  {"expect_value", "true"}});
  CHECK_FALSE(wrong.ok);
  CHECK(wrong.detail == "1 row from 127.0.0.1:" + node1 + ": value 'false', expected 'true'");
  ProbeOutcome failed = check_sql({{"conninfo", pair.conninfo()}, {"query", "SELECT * FROM nope"}});
  CHECK_FALSE(failed.ok);
  CHECK(mentions(failed.detail, "relation \"nope\" does not exist"));

  // Listed standby first: read-write still lands on node1.
  std::string standby_first = "host=127.0.0.1,127.0.0.1 port=" + node2 + "," + node1 +
                              " user=postgres dbname=postgres target_session_attrs=read-write";
  ProbeOutcome found = check_sql({{"conninfo", standby_first},
                                  {"query", "SELECT inet_server_port()::text"},
                                  {"expect_value", node1}});
  CHECK(found.ok);
  // Only the standby: no writable node.
  ProbeOutcome none = check_sql(
      {{"conninfo", pair.node_conninfo(pair.node2_port()) + " target_session_attrs=read-write"}});
  CHECK_FALSE(none.ok);
  CHECK(mentions(none.detail, "read-only"));

  // A frozen primary: the connect gives up after 300 ms, not libpq's whole seconds.
  std::string pid_line = text_of(pair.dir() + "/node1/postmaster.pid");
  pid_t postmaster = std::stoi(pid_line.substr(0, pid_line.find('\n')));
  REQUIRE(kill(postmaster, SIGSTOP) == 0);
  auto started = MonoClock::now();
  ProbeOutcome frozen =
      check_sql({{"conninfo", pair.node_conninfo(pair.node1_port())}, {"timeout", 300}});
  double took = elapsed_ms(started, MonoClock::now());
  kill(postmaster, SIGCONT);
  CHECK_FALSE(frozen.ok);
  CHECK(mentions(frozen.detail, "timed out"));
  CHECK(took >= 290);
  CHECK(took < 1000);
}

TEST_CASE("a password in the connection string never reaches a probe's description or detail") {
  int port = free_port();  // nobody listens
  std::string conninfo =
      "host=127.0.0.1 port=" + std::to_string(port) + " user=app password=Sup3rS3cretPw dbname=app";
  ProbeOutcome refused = check_sql({{"conninfo", conninfo}});
  CHECK_FALSE(refused.ok);
  CHECK(mentions(refused.detail, "refused"));
  CHECK_FALSE(mentions(refused.detail, "Sup3rS3cretPw"));
  auto shown = describe_conninfo(conninfo);
  REQUIRE(shown.ok());
  CHECK(*shown == "user=app dbname=app host=127.0.0.1 port=" + std::to_string(port));
  CHECK(describe_conninfo("host='unterminated").ok() == false);
  CHECK_FALSE(mentions(describe_conninfo("password=Sup3rS3cretPw host='x").error().message,
                       "Sup3rS3cretPw"));
}

// faults/db/postgres/conninfo.h: the password comes out of a connection string, and libpq
// reads what is left as the same connection.
#include "faults/db/postgres/conninfo.h"

#include <catch2/catch.hpp>

#include "runner/os/pg_client.h"

using namespace faultline;

TEST_CASE("split_password takes the password out of key=value strings and URIs") {
  struct Case {
    std::string conninfo;
    std::string password;
  };
  for (const Case& c : std::vector<Case>{
           {"host=127.0.0.1 port=5433 user=postgres password=s3cret dbname=app", "s3cret"},
           {"host=a,b port=1,2 password = 'it''s \\'quoted\\' s3cret' "
            "target_session_attrs=read-write",
            ""},
           {"host=a password='two words s3cret' application_name='x y'", "two words s3cret"},
           {"postgresql://app:s3cret%40x@127.0.0.1:5433/app?sslmode=disable", "s3cret@x"},
           {"postgresql://app@h1:1,h2:2/db?password=s3cret&target_session_attrs=read-write",
            "s3cret"},
           {"host=127.0.0.1 port=5433 user=postgres", ""},
       }) {
    INFO(c.conninfo);
    SplitConninfo split = split_password(c.conninfo);
    auto before = describe_conninfo(c.conninfo);
    if (!before.ok()) {
      // Not libpq's either (the '' inside quotes above): given back whole.
      CHECK(split.without_password == c.conninfo);
      CHECK(split.password.empty());
      continue;
    }
    CHECK(split.password == c.password);
    CHECK(split.without_password.find("s3cret") == std::string::npos);
    auto after = describe_conninfo(split.without_password);
    REQUIRE(after.ok());
    CHECK(*after == *before);  // the same connection, password aside
  }
}

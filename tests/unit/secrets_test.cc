#include "runner/core/secrets.h"

#include <catch2/catch.hpp>

using namespace faultline;

TEST_CASE("a secret is hidden in JSON text too, where it appears escaped") {
  register_secret("pa\"ss\\word");
  CHECK(redact("plain pa\"ss\\word") == "plain [secret]");
  CHECK(redact("{\"password\":\"pa\\\"ss\\\\word\"}") == "{\"password\":\"[secret]\"}");
  forget_secrets_for_testing();
}

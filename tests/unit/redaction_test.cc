// Every excerpt is redacted before it is shortened: a secret cut off at the limit no
// longer matches, and its first bytes would leak ("...0000Tok3n/Va...").
#include <catch2/catch.hpp>

#include "runner/core/json_reader.h"
#include "runner/core/secrets.h"
#include "runner/os/process.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

const std::string kSecret = "Tok3nValue-0123456789";
const std::string kPrefix = kSecret.substr(0, 4);  // what a cut-off secret would show

// Registers kSecret for one test and forgets it after, even when the test fails.
struct SecretForThisTest {
  SecretForThisTest() { register_secret(kSecret); }
  ~SecretForThisTest() { forget_secrets_for_testing(); }
};

}  // namespace

TEST_CASE("an excerpt cut inside a secret shows none of it") {
  SecretForThisTest secret;
  std::string text = std::string(95, 'x') + kSecret + " and more";
  std::string excerpt = redacted_excerpt(text, 100);
  CHECK(excerpt.size() <= 100);
  CHECK(excerpt.find(kPrefix) == std::string::npos);
  CHECK(excerpt.rfind(std::string(95, 'x'), 0) == 0);
  // The secret wholly inside the limit is replaced, not dropped.
  CHECK(redacted_excerpt(text, 200) == std::string(95, 'x') + "[secret] and more");
}

TEST_CASE("a wrong-typed value quoted in a JSON reader's error never shows a cut-off secret") {
  SecretForThisTest secret;
  Json spec{{"timeout_ms", std::string(50, 'y') + kSecret}};
  JsonReader reader(spec, "exec rollback");
  auto timeout = reader.integer("timeout_ms");
  REQUIRE_FALSE(timeout.ok());
  CHECK(timeout.error().message.find("'timeout_ms' must be an integer, not \"yyy") !=
        std::string::npos);
  CHECK(timeout.error().message.find(kPrefix) == std::string::npos);
  CHECK(json_brief(Json(std::string(50, 'z') + kSecret)).find(kPrefix) == std::string::npos);
}

TEST_CASE("a process's command line is redacted before it is shortened") {
  SecretForThisTest secret;
  TempDir dir;
  // "sh -c sleep 300; : " is 19 bytes: the secret then starts at byte 190 of the
  // command line, across the 200-byte limit.
  OwnedProcess process(Command({"sh", "-c", "sleep 300; :", std::string(170, 'p'), kSecret}),
                       dir.file("sh.log"));
  auto info = describe_process(process.id());
  REQUIRE(info.ok());
  INFO(info->command_line);
  CHECK(info->command_line.find(kPrefix) == std::string::npos);
  CHECK(info->command_line.find("[secret]") != std::string::npos);
  CHECK(info->describe().find(kPrefix) == std::string::npos);
}

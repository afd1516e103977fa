#include "runner/core/suggest.h"

#include <catch2/catch.hpp>

using namespace faultline;

TEST_CASE("did-you-mean finds typos, transpositions included") {
  std::vector<std::string> keys = {"interval", "recovered_after", "baseline_rounds", "probes"};
  CHECK(nearest_word("intervl", keys) == "interval");
  CHECK(nearest_word("porbes", keys) == "probes");
  CHECK(nearest_word("wbe", {"web", "db"}) == "web");
  CHECK(nearest_word("PROT", {"PORT", "TOKEN"}) == "PORT");
  CHECK(did_you_mean("valdate", {"validate", "run"}) == ", did you mean 'validate'?");
}

TEST_CASE("did-you-mean stays quiet when nothing is close") {
  CHECK(nearest_word("zzzzzz", {"interval", "probes"}).empty());
  CHECK(did_you_mean("xyz", {"validate", "run"}).empty());
  CHECK(nearest_word(std::string(100, 'a'), {"a"}).empty());
}

#include "runner/core/duration.h"

#include <catch2/catch.hpp>

using namespace faultline;

TEST_CASE("durations parse in the forms plans use") {
  CHECK(parse_duration("250ms").value() == Millis(250));
  CHECK(parse_duration("2s").value() == Millis(2000));
  CHECK(parse_duration("1m30s").value() == Millis(90000));
  CHECK(parse_duration("1.5s").value() == Millis(1500));
  CHECK(parse_duration("1h2m3s4ms").value() == Millis(3723004));
  CHECK(parse_duration("0s").value() == Millis(0));
}

TEST_CASE("bad durations are refused with the reason") {
  CHECK(parse_duration("").error().message.find("empty") != std::string::npos);
  CHECK(parse_duration("10").error().message.find("missing unit") != std::string::npos);
  CHECK(parse_duration("10parsecs").error().message.find("unknown unit") != std::string::npos);
  CHECK(parse_duration("1s1m").error().message.find("descend") != std::string::npos);
  CHECK(parse_duration("1.0001s").error().message.find("finer than a millisecond") !=
        std::string::npos);
  CHECK_FALSE(parse_duration("-1s").ok());
  CHECK_FALSE(parse_duration("99999999999999999h").ok());
}

TEST_CASE("durations format back to their shortest exact form") {
  CHECK(format_duration(Millis(250)) == "250ms");
  CHECK(format_duration(Millis(2000)) == "2s");
  CHECK(format_duration(Millis(1500)) == "1.5s");
  CHECK(format_duration(Millis(90000)) == "1m30s");
  CHECK(format_duration(Millis(0)) == "0s");
  for (int64_t ms : {1, 999, 1001, 59999, 60000, 3600001}) {
    CHECK(parse_duration(format_duration(Millis(ms))).value() == Millis(ms));
  }
}

TEST_CASE("durations stop at the 30-day limit, exactly, without overflowing on the way") {
  CHECK(parse_duration("720h").value() == kMaxDuration);
  CHECK(parse_duration("719h59m59s999ms").value() == kMaxDuration - Millis(1));
  CHECK(parse_duration("720h1ms").error().message.find("longer than the limit of 720h") !=
        std::string::npos);
  CHECK(parse_duration("2562048h").error().message.find("longer than the limit") !=
        std::string::npos);
  // Digits that would overflow an hour's milliseconds are refused as they are read.
  CHECK(parse_duration("999999999999999h").error().message.find("too large") !=
        std::string::npos);
  CHECK(parse_duration("719h60000000s").error().message.find("longer than the limit") !=
        std::string::npos);
  CHECK(add_durations(Millis(1), kMaxDuration).error().message.find("longer than the limit") !=
        std::string::npos);
}

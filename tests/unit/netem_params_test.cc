// network.netem's params are checked at load, whatever the host's kernel.
#include <catch2/catch.hpp>

#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

Result<std::unique_ptr<Fault>> netem(const Json& params) {
  const FaultType* type = builtin_registry().fault_type("network.netem");
  REQUIRE(type != nullptr);
  Json full{{"delay", 0}, {"jitter", 0}, {"loss", "0%"}, {"duplicate", "0%"}};
  full.update(params);
  return type->configure(Params(full));
}

}  // namespace

TEST_CASE("network.netem refuses a device name tc would misread, and empty or wrong amounts") {
  auto ok = netem({{"device", "veth0"}, {"delay", 100}, {"jitter", 10}, {"loss", "0.5%"}});
  REQUIRE(ok.ok());
  CHECK((*ok)->describe() == "netem on veth0: delay 100ms +-10ms loss 0.5%");
  for (const char* device : {"", "eth0 root", "a-name-longer-than-15", "../x", "eth0;ls"}) {
    INFO(device);
    auto bad = netem({{"device", device}, {"delay", 100}});
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().field == "device");
  }
  CHECK(netem({{"device", "eth0"}, {"loss", "101%"}}).error().field == "loss");
  CHECK(netem({{"device", "eth0"}, {"duplicate", "lots"}}).error().field == "duplicate");
  CHECK(netem({{"device", "eth0"}, {"delay", 10}, {"jitter", 20}}).error().field == "jitter");
  CHECK(mentions(netem({{"device", "eth0"}}).error().message, "needs a delay, loss or duplicate"));
}

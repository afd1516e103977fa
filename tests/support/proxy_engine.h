#pragma once
// The fault proxy's engine inside the test process, driven through its public header
// (tests of the engine itself; plans and the CLI start it on their own).
#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "faults/network/proxy/proxy_server.h"

namespace faultline::testing {

inline std::unique_ptr<proxy::ProxyServer> start_proxy_server() {
  auto server = proxy::ProxyServer::start();
  REQUIRE(server.ok());
  return std::move(*server);
}

// Creates proxy `name` in front of `upstream` and answers its real port.
inline int make_proxy(proxy::ProxyServer& server, const std::string& name,
                      const std::string& upstream, const std::string& listen = "127.0.0.1:0") {
  auto created =
      server.create_proxy(Json{{"name", name}, {"listen", listen}, {"upstream", upstream}});
  REQUIRE(created.ok());
  std::string real = (*created)["listen"].get<std::string>();
  return std::stoi(real.substr(real.rfind(':') + 1));
}

}  // namespace faultline::testing

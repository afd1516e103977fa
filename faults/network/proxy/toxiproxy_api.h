#pragma once
// The Toxiproxy 2.x HTTP API over a ProxyServer, so Toxiproxy clients and test suites
// work unchanged against `faultline proxy`:
//   GET/POST /proxies, POST /populate, GET/POST/PATCH/DELETE /proxies/{name},
//   GET/POST /proxies/{name}/toxics, GET/POST/PATCH/DELETE /proxies/{name}/toxics/{toxic},
//   POST /reset, GET /version, GET /metrics (Prometheus text).
// Same JSON shapes, defaults and status codes as Toxiproxy; errors are
// {"error": "...", "status": N}. As Toxiproxy does, requests from browsers (a
// User-Agent starting "Mozilla/") are refused with 403, so a web page cannot drive it.
// Served by cpp-httplib's thread pool; every call goes through ProxyServer, which is
// thread-safe.
#include <memory>
#include <string>

#include "faults/network/proxy/proxy_server.h"

namespace faultline::proxy {

class ToxiproxyApi {
 public:
  explicit ToxiproxyApi(ProxyServer& proxies);
  ~ToxiproxyApi();
  ToxiproxyApi(const ToxiproxyApi&) = delete;
  ToxiproxyApi& operator=(const ToxiproxyApi&) = delete;

  // Binds host:port (port 0: any free one) and answers the port bound.
  Result<int> bind(const std::string& host, int port);
  // Serves until stop() (from any thread); fails when not bound.
  Status serve();
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace faultline::proxy

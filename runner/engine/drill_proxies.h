#pragma once
// The plan's `proxies:`, served in the runner for the length of the drill: started at
// the end of preflight (after the journal exists, before any service), stopped at
// teardown. They live and die with the runner: nothing of them outlives it, so nothing
// about them is journaled (a toxic on one is, and recover treats it as gone).
#include <memory>
#include <vector>

#include "runner/core/toxic_api.h"
#include "runner/plan/plan.h"

namespace faultline {

namespace proxy {
class ProxyServer;
}

class DrillProxies {
 public:
  // Starts the event loop and every proxy; the error names the proxy that failed.
  static Result<std::unique_ptr<DrillProxies>> start(const std::vector<ProxySpec>& proxies);
  // Closes every listener and connection.
  ~DrillProxies();

  ToxicApi& api() { return *api_; }

 private:
  DrillProxies() = default;
  std::unique_ptr<proxy::ProxyServer> server_;
  std::unique_ptr<ToxicApi> api_;
};

}  // namespace faultline

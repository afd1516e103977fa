#include "runner/engine/drill_proxies.h"

#include "faults/network/proxy/proxy_server.h"
#include "faults/network/toxics/toxic_apis.h"

namespace faultline {

Result<std::unique_ptr<DrillProxies>> DrillProxies::start(const std::vector<ProxySpec>& proxies) {
  auto server = proxy::ProxyServer::start();
  if (!server.ok()) return server.error().with_context("proxies");
  std::unique_ptr<DrillProxies> drill(new DrillProxies);
  drill->server_ = std::move(*server);
  for (const auto& spec : proxies) {
    auto created = drill->server_->create_proxy(
        Json{{"name", spec.name}, {"listen", spec.listen}, {"upstream", spec.upstream}});
    if (!created.ok()) return created.error().with_context("proxy '" + spec.name + "'");
  }
  drill->api_ = make_proxy_server_toxic_api(*drill->server_);
  return drill;
}

DrillProxies::~DrillProxies() {
  api_.reset();
  server_.reset();
}

}  // namespace faultline

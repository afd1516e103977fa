#pragma once
// The two ToxicApi implementations (runner/core/toxic_api.h): the drill's own proxies,
// in this process, and a Toxiproxy-compatible server over HTTP through the Target.
#include <memory>
#include <string>

#include "runner/core/target.h"
#include "runner/core/toxic_api.h"

namespace faultline {

namespace proxy {
class ProxyServer;
}

// Acts on `server`, which must outlive the result.
std::unique_ptr<ToxicApi> make_proxy_server_toxic_api(proxy::ProxyServer& server);

// Acts on the Toxiproxy 2.x API at `base_url` (http://HOST:PORT) through `target`'s
// HTTP client (libcurl on the local target); `target` must outlive the result.
std::unique_ptr<ToxicApi> make_http_toxic_api(Target& target, std::string base_url);

// Whether `url` is an http(s)://HOST[:PORT] base with nothing after it but "/"; the
// error says what is wrong.
Status check_api_url(const std::string& url);

}  // namespace faultline

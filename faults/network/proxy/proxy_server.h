#pragma once
// The fault proxy: many TCP proxies served by one event loop (one thread, standalone
// Asio, no thread per connection), each with toxics on its upstream (client -> server)
// or downstream (server -> client) stream, configured with Toxiproxy 2.x-shaped JSON:
//
//   proxy  {"name", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:5432",
//           "enabled": true, "toxics": [toxic...]}
//   toxic  {"name", "type", "stream": "upstream"|"downstream", "toxicity": 0..1,
//           "attributes": {...}}
//
// Defaults as Toxiproxy's: a proxy is enabled; a toxic's stream is downstream, its
// toxicity 1 and its name "<type>_<stream>". A listen port of 0 picks a free port, and
// every answer shows the real address. Toxic types and attributes (times in ms unless
// said): latency {latency, jitter}, bandwidth {rate: KB/s}, slow_close {delay},
// timeout {timeout}, reset_peer {timeout}, slicer {average_size, size_variation,
// delay: us}, limit_data {bytes}; beyond Toxiproxy: connect_latency {latency} and
// http.fault {status, delay, body} (README "The fault proxy" has their semantics).
//
// This is the one seam for both `faultline proxy` (the Toxiproxy-compatible HTTP API)
// and the network.* fault types. Errors are values: ErrorCode::not_found (HTTP 404) for
// an unknown proxy or toxic, in_use (409) for a duplicate name or a listen address
// already taken, invalid (400) for a malformed body or attribute; http_status() maps
// them. Every method is thread-safe and may be called from any thread except from
// inside the proxy's own event loop (none of ours are). Nothing here throws.
#include <cstdint>
#include <memory>
#include <string>

#include "runner/core/json.h"
#include "runner/core/result.h"

namespace faultline::proxy {

class ProxyEngine;

class ProxyServer {
 public:
  // Starts the event-loop thread. Fails only when the thread cannot be started.
  static Result<std::unique_ptr<ProxyServer>> start();
  // Stops: closes every listener and every connection, then joins the thread.
  ~ProxyServer();
  ProxyServer(const ProxyServer&) = delete;
  ProxyServer& operator=(const ProxyServer&) = delete;

  // {"name": proxy, ...} for every proxy (GET /proxies).
  Json list_proxies();
  // Creates and (unless "enabled": false) starts listening; answers the proxy.
  Result<Json> create_proxy(const Json& proxy);
  // Creates or replaces each proxy of an array (a proxy whose listen and upstream are
  // unchanged is kept as it is); answers {"proxies": [...]}. All are checked first:
  // nothing changes when one is malformed.
  Result<Json> populate(const Json& proxies);
  Result<Json> get_proxy(const std::string& name);
  // Changes listen, upstream and/or enabled (absent fields keep their value). Disabling
  // closes the listener and every open connection; a disabled proxy refuses connections.
  Result<Json> update_proxy(const std::string& name, const Json& changes);
  Status delete_proxy(const std::string& name);

  Result<Json> list_toxics(const std::string& proxy);
  // Takes effect on open connections at once, as on new ones.
  Result<Json> add_toxic(const std::string& proxy, const Json& toxic);
  Result<Json> get_toxic(const std::string& proxy, const std::string& toxic);
  // Changes attributes and/or toxicity; the others stay.
  Result<Json> update_toxic(const std::string& proxy, const std::string& toxic,
                            const Json& changes);
  // Data a removed latency (or bandwidth, slicer) toxic was holding is sent at once.
  Status remove_toxic(const std::string& proxy, const std::string& toxic);

  // Enables every proxy and removes every toxic (POST /reset).
  Status reset();
  // Removes every proxy.
  void clear();

  // {"proxies": [{"name", "listen", "upstream", "upstream_received_bytes",
  //   "upstream_sent_bytes", "downstream_received_bytes", "downstream_sent_bytes",
  //   "upstream_spliced_bytes", "downstream_spliced_bytes", "connections"}],
  //  "connection_memory": {"mapped_bytes", "allocations"}}; bytes are totals since the
  // proxy was created (spliced: sent by splice(2), uncopied, with no toxic in force);
  // connection_memory is what the open connections' objects hold (connection_memory.h).
  Json metrics();
  // The same as Prometheus text (toxiproxy_proxy_{received,sent}_bytes_total).
  std::string metrics_text();

 private:
  explicit ProxyServer(std::unique_ptr<ProxyEngine> engine);
  std::unique_ptr<ProxyEngine> engine_;
};

// The HTTP status an error of this API maps to (404, 409, 400, else 500).
int http_status(const Error& error);

// The Toxiproxy version this API speaks, as /version reports it.
inline constexpr const char* kToxiproxyApiVersion = "2.9.0";

}  // namespace faultline::proxy

#pragma once
// The one seam every proxy fault (network.latency, network.down, http.fault, ...) acts
// through: the Toxiproxy 2.x API, in its own JSON shapes. Two implementations exist, in
// faults/network/toxics/: the drill's own proxies (in this process, declared under the
// plan's `proxies:`), and a Toxiproxy-compatible server reached over HTTP through the
// Target. A fault type is written once against this interface and works with both.
//
// Shapes: a proxy is {name, listen, upstream, enabled, toxics}; a toxic is
// {name, type, stream, toxicity, attributes}. Failures carry ErrorCode::not_found (no
// such proxy or toxic), in_use (a toxic of that name exists) or invalid (the server
// refused the toxic or its attributes); anything else (the server cannot be reached) is
// failed or timed_out. Implementations are safe to call from one thread at a time.
#include <string>

#include "runner/core/json.h"
#include "runner/core/result.h"

namespace faultline {

class ToxicApi {
 public:
  virtual ~ToxicApi() = default;
  // For messages: "the drill's proxies", "Toxiproxy at http://127.0.0.1:8474".
  virtual std::string describe() const = 0;
  // GET /proxies/{proxy}
  virtual Result<Json> proxy(const std::string& proxy) = 0;
  // POST /proxies/{proxy} {"enabled": enabled}; a disabled proxy refuses connections.
  virtual Status set_enabled(const std::string& proxy, bool enabled) = 0;
  // POST /proxies/{proxy}/toxics with the whole toxic (its name included).
  virtual Status add_toxic(const std::string& proxy, const Json& toxic) = 0;
  // DELETE /proxies/{proxy}/toxics/{toxic}; not_found when there is no such toxic.
  virtual Status remove_toxic(const std::string& proxy, const std::string& toxic) = 0;
};

}  // namespace faultline

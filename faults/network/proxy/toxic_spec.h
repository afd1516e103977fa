#pragma once
// A toxic's configuration as the API gives it: checked once, then immutable and shared
// by every connection of its proxy (each connection keeps only its own run state).
// Pure: no sockets here.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "runner/core/json.h"
#include "runner/core/result.h"

namespace faultline::proxy {

// upstream: client -> server; downstream: server -> client (Toxiproxy's words).
enum class Stream { upstream = 0, downstream = 1 };
const char* stream_name(Stream stream);

enum class ToxicType {
  latency,
  bandwidth,
  slow_close,
  timeout,
  reset_peer,
  slicer,
  limit_data,
  connect_latency,
  http_fault,
};

struct ToxicSpec {
  std::string name;
  ToxicType type = ToxicType::latency;
  std::string type_name;
  Stream stream = Stream::downstream;
  double toxicity = 1.0;
  // Attributes; each type reads only its own (see proxy_server.h).
  int64_t latency = 0;         // ms: latency, connect_latency
  int64_t jitter = 0;          // ms: latency
  int64_t rate = 0;            // KB/s (1 KB = 1000 bytes): bandwidth
  int64_t delay = 0;           // ms: slow_close, http.fault; us: slicer
  int64_t timeout = 0;         // ms: timeout, reset_peer
  int64_t average_size = 0;    // bytes: slicer
  int64_t size_variation = 0;  // bytes: slicer
  int64_t bytes = 0;           // bytes: limit_data
  int64_t status = 0;          // HTTP status to answer instead of forwarding: http.fault
  std::string body;            // the body of that answer: http.fault

  Json to_json() const;
};

using ToxicPtr = std::shared_ptr<const ToxicSpec>;

// A new toxic from a POST body, with Toxiproxy's defaults. ErrorCode::invalid for a body
// that is not an object, an unknown type or stream, a toxicity outside 0..1, an unknown
// attribute or one of the wrong kind or range.
Result<ToxicSpec> parse_toxic(const Json& body);
// `current` with the attributes and toxicity a PATCH body gives.
Result<ToxicSpec> update_toxic(const ToxicSpec& current, const Json& changes);

}  // namespace faultline::proxy

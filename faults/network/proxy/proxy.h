#pragma once
// One named proxy: a listener, the upstream it forwards to, its toxics (in the order
// they were added) and its open connections. Runs on the event loop only.
#include <asio.hpp>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <set>
#include <string>
#include <vector>

#include "faults/network/proxy/connection_memory.h"
#include "faults/network/proxy/toxic_spec.h"
#include "runner/core/json.h"
#include "runner/core/result.h"

namespace faultline::proxy {

class Connection;

struct ByteCounters {
  uint64_t received[2] = {0, 0};  // by Stream: read from the stream's source
  uint64_t sent[2] = {0, 0};      // written to the stream's destination
  uint64_t spliced[2] = {0, 0};   // of those sent, moved by splice(2) (never copied)
};

// "host:port" or "[v6]:port", split; ErrorCode::invalid when malformed.
struct HostPort {
  std::string host;
  std::string port;
};
Result<HostPort> split_host_port(const std::string& text, const char* what);

class Proxy : public std::enable_shared_from_this<Proxy> {
 public:
  // Its connections live in `memory` (the engine's, shared by its proxies).
  Proxy(asio::io_context& io, ConnectionMemory& memory, std::string name, std::string listen,
        std::string upstream);

  // Binds and listens (enabled) or not; in_use when the address is taken.
  Status start();
  // Closes the listener and every connection.
  void stop();
  bool enabled() const { return acceptor_.is_open(); }

  const std::string& name() const { return name_; }
  const std::string& listen() const { return listen_; }
  const std::string& upstream() const { return upstream_; }
  void set_listen(std::string listen) { listen_ = std::move(listen); }
  void set_upstream(std::string upstream) { upstream_ = std::move(upstream); }

  const std::vector<ToxicPtr>& toxics() const { return toxics_; }
  const ToxicSpec* find_toxic(const std::string& name) const;
  void add_toxic(ToxicPtr toxic);
  void replace_toxic(ToxicPtr toxic);
  void remove_toxic(const std::string& name);
  void remove_all_toxics();
  // The toxics of one stream, in order.
  std::vector<ToxicPtr> toxics_of(Stream stream) const;

  Json to_json() const;
  ByteCounters& counters() { return counters_; }
  size_t connection_count() const { return connections_.size(); }
  asio::io_context& io() { return io_; }
  ConnectionMemory& memory() { return memory_; }
  void forget(const std::shared_ptr<Connection>& connection);

 private:
  void accept_next();
  void push_toxics();

  asio::io_context& io_;
  ConnectionMemory& memory_;
  std::string name_;
  std::string listen_;
  std::string upstream_;
  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer accept_pause_;  // after an accept failed for want of descriptors
  std::vector<ToxicPtr> toxics_;
  std::pmr::set<std::shared_ptr<Connection>> connections_;
  ByteCounters counters_;
};

}  // namespace faultline::proxy

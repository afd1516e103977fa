#pragma once
// One proxied TCP connection: the client's socket, the upstream socket, and a Pipe for
// each direction. It connects upstream (after connect_latency, when that toxic is in
// force), then runs both pipes until both ends have closed, a toxic closes or resets it,
// or its proxy closes it. Runs on the event loop only; the proxy holds it by shared_ptr
// and every pending handler holds one too, so it lives until its last handler ran.
// It and its pending asio operations live in the proxies' ConnectionMemory (bound()).
#include <asio.hpp>
#include <memory>
#include <memory_resource>

#include "faults/network/proxy/connection_memory.h"
#include "faults/network/proxy/pipe.h"

namespace faultline::proxy {

class Proxy;

enum class CloseHow { graceful, reset };

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<Proxy> proxy, asio::ip::tcp::socket client);

  void start();
  // Applies the proxy's toxics for one stream to this connection's live pipe.
  void set_toxics(Stream stream, const std::vector<ToxicPtr>& toxics);
  // Closes both sockets (with RST when `how` is reset) and leaves the proxy's set.
  void close(CloseHow how);
  // Writes `answer` to the client (after what the downstream pipe holds), then closes.
  void answer_client(std::string answer);
  // A pipe passed on its end of stream; when both have, the connection is done.
  void pipe_done();

  Proxy& proxy() { return *proxy_; }
  // `handler`, with its asio operation allocated in ConnectionMemory.
  template <class Handler>
  auto bound(Handler handler) {
    return asio::bind_allocator(std::pmr::polymorphic_allocator<std::byte>(&memory_),
                                std::move(handler));
  }
  bool closed() const { return closed_; }

 private:
  void connect_upstream();
  void on_connected(std::error_code error);

  std::shared_ptr<Proxy> proxy_;
  ConnectionMemory& memory_;
  asio::ip::tcp::socket client_;
  asio::ip::tcp::socket upstream_;
  asio::steady_timer connect_timer_;
  Pipe upstream_pipe_;    // client -> upstream
  Pipe downstream_pipe_;  // upstream -> client
  bool piping_ = false;
  bool closed_ = false;
};

}  // namespace faultline::proxy

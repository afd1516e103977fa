#include "faults/network/proxy/connection.h"

#include <random>

#include "faults/network/proxy/proxy.h"

namespace faultline::proxy {

Connection::Connection(std::shared_ptr<Proxy> proxy, asio::ip::tcp::socket client)
    : proxy_(std::move(proxy)),
      memory_(proxy_->memory()),
      client_(std::move(client)),
      upstream_(client_.get_executor()),
      connect_timer_(client_.get_executor()),
      upstream_pipe_(*this, Stream::upstream, client_, upstream_),
      downstream_pipe_(*this, Stream::downstream, upstream_, client_) {}

// connect_latency holds the connection before it is made upstream: the client's
// connect() already succeeded (the kernel completes the handshake), but nothing flows,
// and the upstream server sees the connection that much later.
void Connection::start() {
  std::error_code ignored;
  client_.set_option(asio::ip::tcp::no_delay(true), ignored);
  int64_t hold_ms = 0;
  static thread_local std::minstd_rand random{std::random_device{}()};
  for (const auto& toxic : proxy_->toxics()) {
    if (toxic->type != ToxicType::connect_latency) continue;
    bool active = toxic->toxicity >= 1.0 ||
                  std::uniform_real_distribution<double>(0.0, 1.0)(random) < toxic->toxicity;
    if (active) hold_ms = std::max(hold_ms, toxic->latency);
  }
  if (hold_ms <= 0) {
    connect_upstream();
    return;
  }
  connect_timer_.expires_after(std::chrono::milliseconds(hold_ms));
  connect_timer_.async_wait(bound([self = shared_from_this()](std::error_code error) {
    if (!error && !self->closed_) self->connect_upstream();
  }));
}

void Connection::connect_upstream() {
  auto parts = split_host_port(proxy_->upstream(), "upstream");
  if (!parts) {
    close(CloseHow::graceful);
    return;
  }
  std::error_code error;
  auto address = asio::ip::make_address(parts->host, error);
  if (!error) {
    unsigned long port = std::stoul(parts->port);
    upstream_.async_connect(
        asio::ip::tcp::endpoint(address, static_cast<unsigned short>(port)),
        bound([self = shared_from_this()](std::error_code result) { self->on_connected(result); }));
    return;
  }
  auto resolver = std::make_shared<asio::ip::tcp::resolver>(client_.get_executor());
  resolver->async_resolve(
      parts->host, parts->port,
      [self = shared_from_this(), resolver](std::error_code result,
                                            asio::ip::tcp::resolver::results_type endpoints) {
        if (result || self->closed_) {
          self->close(CloseHow::graceful);
          return;
        }
        asio::async_connect(self->upstream_, endpoints,
                            [self](std::error_code connected, const asio::ip::tcp::endpoint&) {
                              self->on_connected(connected);
                            });
      });
}

void Connection::on_connected(std::error_code error) {
  if (closed_) return;
  if (error) {
    // The upstream refused or is unreachable: the client sees its connection closed.
    close(CloseHow::graceful);
    return;
  }
  std::error_code ignored;
  upstream_.set_option(asio::ip::tcp::no_delay(true), ignored);
  // The pipes read and write without blocking the loop.
  client_.non_blocking(true, ignored);
  upstream_.non_blocking(true, ignored);
  piping_ = true;
  upstream_pipe_.start(proxy_->toxics_of(Stream::upstream));
  downstream_pipe_.start(proxy_->toxics_of(Stream::downstream));
}

void Connection::set_toxics(Stream stream, const std::vector<ToxicPtr>& toxics) {
  if (!piping_ || closed_) return;
  auto keep = shared_from_this();
  (stream == Stream::upstream ? upstream_pipe_ : downstream_pipe_).set_toxics(toxics);
}

void Connection::answer_client(std::string answer) {
  downstream_pipe_.inject(std::move(answer), true);
}

void Connection::pipe_done() {
  if (upstream_pipe_.done() && downstream_pipe_.done()) close(CloseHow::graceful);
}

void Connection::close(CloseHow how) {
  if (closed_) return;
  closed_ = true;
  auto keep = shared_from_this();
  upstream_pipe_.stop();
  downstream_pipe_.stop();
  connect_timer_.cancel();
  std::error_code ignored;
  for (auto* socket : {&client_, &upstream_}) {
    if (!socket->is_open()) continue;
    // SO_LINGER 0: close() sends RST and drops unsent data (reset_peer).
    if (how == CloseHow::reset) socket->set_option(asio::socket_base::linger(true, 0), ignored);
    socket->close(ignored);
  }
  proxy_->forget(keep);
}

}  // namespace faultline::proxy

#include "faults/network/proxy/proxy.h"

#include <fmt/format.h>
#include <malloc.h>

#include <algorithm>
#include <charconv>

#include "faults/network/proxy/connection.h"

namespace faultline::proxy {
namespace {

bool out_of_resources(const std::error_code& error) {
  return error == asio::error::no_descriptors ||
         error == std::errc::too_many_files_open_in_system ||
         error == asio::error::no_buffer_space || error == asio::error::no_memory;
}

}  // namespace

Result<HostPort> split_host_port(const std::string& text, const char* what) {
  auto bad = [&](const char* why) {
    return Error{ErrorCode::invalid,
                 fmt::format("{} '{}' {}: write HOST:PORT or [IPv6]:PORT", what, text, why)};
  };
  HostPort out;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return bad("is malformed");
    out.host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) return bad("has no port");
    out.host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (out.host.find(':') != std::string::npos) return bad("needs brackets around IPv6");
  }
  unsigned value = 0;
  auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || error != std::errc() || end != port.data() + port.size() || value > 65535)
    return bad("has a bad port");
  if (out.host.empty()) out.host = "0.0.0.0";
  out.port = std::to_string(value);
  return out;
}

Proxy::Proxy(asio::io_context& io, ConnectionMemory& memory, std::string name, std::string listen,
             std::string upstream)
    : io_(io),
      memory_(memory),
      name_(std::move(name)),
      listen_(std::move(listen)),
      upstream_(std::move(upstream)),
      acceptor_(io),
      accept_pause_(io),
      connections_(&memory) {}

Status Proxy::start() {
  if (acceptor_.is_open()) return {};
  auto parts = split_host_port(listen_, "listen");
  if (!parts) return parts.error();
  std::error_code error;
  asio::ip::tcp::resolver resolver(io_);
  auto endpoints =
      resolver.resolve(parts->host, parts->port, asio::ip::tcp::resolver::numeric_service, error);
  if (error || endpoints.empty())
    return Error{ErrorCode::invalid,
                 fmt::format("listen '{}': cannot resolve '{}': {}", listen_, parts->host,
                             error ? error.message() : "no address")};
  asio::ip::tcp::endpoint endpoint = endpoints.begin()->endpoint();
  auto fail = [&](const char* step) {
    std::error_code ignored;
    acceptor_.close(ignored);
    bool taken = error == asio::error::address_in_use;
    return Error{taken ? ErrorCode::in_use : ErrorCode::failed,
                 fmt::format("proxy '{}' cannot {} {}: {}", name_, step, listen_, error.message())};
  };
  acceptor_.open(endpoint.protocol(), error);
  if (error) return fail("open a socket for");
  acceptor_.set_option(asio::socket_base::reuse_address(true), error);
  if (endpoint.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(true), error);
  acceptor_.bind(endpoint, error);
  if (error) return fail("listen on");
  acceptor_.listen(asio::socket_base::max_listen_connections, error);
  if (error) return fail("listen on");
  auto local = acceptor_.local_endpoint(error);
  if (!error) {
    // The answer shows the real port (Toxiproxy does the same for port 0).
    listen_ = local.address().is_v6()
                  ? fmt::format("[{}]:{}", local.address().to_string(), local.port())
                  : fmt::format("{}:{}", local.address().to_string(), local.port());
  }
  accept_next();
  return {};
}

void Proxy::accept_next() {
  acceptor_.async_accept(
      [self = shared_from_this()](std::error_code error, asio::ip::tcp::socket client) {
        if (!self->acceptor_.is_open()) return;
        if (!error) {
          auto connection = std::allocate_shared<Connection>(
              std::pmr::polymorphic_allocator<Connection>(&self->memory_), self, std::move(client));
          self->connections_.insert(connection);
          connection->start();
        } else if (error == asio::error::operation_aborted) {
          return;
        } else if (out_of_resources(error)) {
          // Out of descriptors or memory: the connection stays queued in the kernel, so
          // accepting again at once would fail again at once, spinning a core. Pause, as
          // Go's net/http does, until closed connections give something back.
          self->accept_pause_.expires_after(std::chrono::milliseconds(50));
          self->accept_pause_.async_wait([self](std::error_code paused) {
            if (!paused && self->acceptor_.is_open()) self->accept_next();
          });
          return;
        }
        // Other errors (a connection reset before accept) leave the listener up.
        self->accept_next();
      });
}

void Proxy::stop() {
  std::error_code ignored;
  acceptor_.close(ignored);
  accept_pause_.cancel();
  auto open = connections_;
  for (const auto& connection : open) connection->close(CloseHow::graceful);
  connections_.clear();
}

void Proxy::forget(const std::shared_ptr<Connection>& connection) {
  connections_.erase(connection);
  // The last connection gone: hand back what else the connections used (their buffers,
  // freed to the shared heap, which glibc keeps otherwise). Their own objects are in
  // ConnectionMemory, which lets its pages go when the last of them is destroyed.
  if (connections_.empty()) malloc_trim(0);
}

const ToxicSpec* Proxy::find_toxic(const std::string& name) const {
  for (const auto& toxic : toxics_)
    if (toxic->name == name) return toxic.get();
  return nullptr;
}

void Proxy::add_toxic(ToxicPtr toxic) {
  toxics_.push_back(std::move(toxic));
  push_toxics();
}

void Proxy::replace_toxic(ToxicPtr toxic) {
  for (auto& current : toxics_)
    if (current->name == toxic->name) current = toxic;
  push_toxics();
}

void Proxy::remove_toxic(const std::string& name) {
  std::erase_if(toxics_, [&](const ToxicPtr& toxic) { return toxic->name == name; });
  push_toxics();
}

void Proxy::remove_all_toxics() {
  toxics_.clear();
  push_toxics();
}

std::vector<ToxicPtr> Proxy::toxics_of(Stream stream) const {
  std::vector<ToxicPtr> out;
  // http.fault works on requests, whatever its stream says (which only names it).
  for (const auto& toxic : toxics_) {
    Stream acts_on = toxic->type == ToxicType::http_fault ? Stream::upstream : toxic->stream;
    if (acts_on == stream) out.push_back(toxic);
  }
  return out;
}

void Proxy::push_toxics() {
  auto upstream = toxics_of(Stream::upstream);
  auto downstream = toxics_of(Stream::downstream);
  auto open = connections_;  // a toxic may close a connection while we iterate
  for (const auto& connection : open) {
    connection->set_toxics(Stream::upstream, upstream);
    connection->set_toxics(Stream::downstream, downstream);
  }
}

Json Proxy::to_json() const {
  Json toxics = Json::array();
  for (const auto& toxic : toxics_) toxics.push_back(toxic->to_json());
  return Json{{"name", name_},
              {"listen", listen_},
              {"upstream", upstream_},
              {"enabled", enabled()},
              {"toxics", std::move(toxics)}};
}

}  // namespace faultline::proxy

#include "faults/network/proxy/engine.h"

#include <fmt/format.h>

#include "faults/network/proxy/toxic_spec.h"
#include "runner/core/json_reader.h"

namespace faultline::proxy {
namespace {

Error bad(std::string message) { return Error{ErrorCode::invalid, std::move(message)}; }

Error proxy_not_found(const std::string& name) {
  return Error{ErrorCode::not_found, "proxy not found: '" + name + "'"};
}

// A Prometheus label value: backslash, quote and newline escaped.
std::string label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

// Fields of a request body; a field of the wrong type is a 400 naming it.
Result<std::string> text_field(const Json& body, const char* key, std::string fallback) {
  return JsonReader(body, "bad request body").text_or(key, std::move(fallback));
}

Result<bool> bool_field(const Json& body, const char* key, bool fallback) {
  return JsonReader(body, "bad request body").boolean_or(key, fallback);
}

}  // namespace

ProxyEngine::ProxyEngine() : work_(asio::make_work_guard(io_)) {
  thread_ = std::thread([this] { io_.run(); });
}

ProxyEngine::~ProxyEngine() {
  call([this] {
    clear();
    return 0;
  });
  work_.reset();
  io_.stop();
  if (thread_.joinable()) thread_.join();
}

Result<ProxyEngine::ProxyInput> ProxyEngine::read_proxy(const Json& body) {
  if (!body.is_object()) return bad("bad request body: a proxy must be a JSON object");
  ProxyInput input;
  auto name = text_field(body, "name", "");
  if (!name) return name.error();
  auto listen = text_field(body, "listen", "127.0.0.1:0");
  if (!listen) return listen.error();
  auto upstream = text_field(body, "upstream", "");
  if (!upstream) return upstream.error();
  auto enabled = bool_field(body, "enabled", true);
  if (!enabled) return enabled.error();
  if (name->empty()) return bad("missing required field: name");
  if (name->find('/') != std::string::npos)
    return bad("bad request body: a proxy name cannot hold '/' (the API could not name it)");
  if (upstream->empty()) return bad("missing required field: upstream");
  if (auto ok = split_host_port(*listen, "listen"); !ok) return ok.error();
  if (auto ok = split_host_port(*upstream, "upstream"); !ok) return ok.error();
  input.name = *name;
  input.listen = *listen;
  input.upstream = *upstream;
  input.enabled = *enabled;
  return input;
}

Result<Proxy*> ProxyEngine::find(const std::string& name) const {
  auto found = proxies_.find(name);
  if (found == proxies_.end()) return proxy_not_found(name);
  return found->second.get();
}

Result<Json> ProxyEngine::start_proxy(const ProxyInput& input) {
  auto proxy = std::make_shared<Proxy>(io_, memory_, input.name, input.listen, input.upstream);
  if (input.enabled) {
    if (auto ok = proxy->start(); !ok) return ok.error();
  }
  proxies_[input.name] = proxy;
  return proxy->to_json();
}

Json ProxyEngine::list_proxies() const {
  Json out = Json::object();
  for (const auto& [name, proxy] : proxies_) out[name] = proxy->to_json();
  return out;
}

Result<Json> ProxyEngine::create_proxy(const Json& body) {
  auto input = read_proxy(body);
  if (!input) return input.error();
  if (proxies_.count(input->name))
    return Error{ErrorCode::in_use, "proxy already exists: '" + input->name + "'"};
  return start_proxy(*input);
}

Result<Json> ProxyEngine::populate(const Json& body) {
  if (!body.is_array()) return bad("bad request body: populate takes a JSON array of proxies");
  std::vector<ProxyInput> inputs;
  for (const auto& item : body) {
    auto input = read_proxy(item);
    if (!input) return input.error();
    inputs.push_back(*input);
  }
  Json created = Json::array();
  for (const auto& input : inputs) {
    auto existing = proxies_.find(input.name);
    if (existing != proxies_.end()) {
      Proxy& proxy = *existing->second;
      if (proxy.listen() == input.listen && proxy.upstream() == input.upstream) {
        if (input.enabled && !proxy.enabled()) {
          if (auto ok = proxy.start(); !ok) return ok.error();
        } else if (!input.enabled && proxy.enabled()) {
          proxy.stop();
        }
        created.push_back(proxy.to_json());
        continue;
      }
      proxy.stop();
      proxies_.erase(existing);
    }
    auto started = start_proxy(input);
    if (!started) return started.error();
    created.push_back(*started);
  }
  return Json{{"proxies", std::move(created)}};
}

Result<Json> ProxyEngine::get_proxy(const std::string& name) const {
  auto proxy = find(name);
  if (!proxy) return proxy.error();
  return (*proxy)->to_json();
}

Result<Json> ProxyEngine::update_proxy(const std::string& name, const Json& changes) {
  auto found = find(name);
  if (!found) return found.error();
  Proxy& proxy = **found;
  if (!changes.is_object()) return bad("bad request body: a proxy must be a JSON object");
  auto listen = text_field(changes, "listen", proxy.listen());
  if (!listen) return listen.error();
  auto upstream = text_field(changes, "upstream", proxy.upstream());
  if (!upstream) return upstream.error();
  auto enabled = bool_field(changes, "enabled", proxy.enabled());
  if (!enabled) return enabled.error();
  if (auto ok = split_host_port(*listen, "listen"); !ok) return ok.error();
  if (auto ok = split_host_port(*upstream, "upstream"); !ok) return ok.error();
  if (*listen != proxy.listen() || *upstream != proxy.upstream()) {
    // As Toxiproxy: a new address or upstream restarts the proxy, closing connections.
    proxy.stop();
    proxy.set_listen(*listen);
    proxy.set_upstream(*upstream);
  }
  if (*enabled) {
    if (auto ok = proxy.start(); !ok) return ok.error();
  } else {
    proxy.stop();
  }
  return proxy.to_json();
}

Status ProxyEngine::delete_proxy(const std::string& name) {
  auto found = proxies_.find(name);
  if (found == proxies_.end()) return proxy_not_found(name);
  found->second->stop();
  proxies_.erase(found);
  return {};
}

Result<Json> ProxyEngine::list_toxics(const std::string& name) const {
  auto proxy = find(name);
  if (!proxy) return proxy.error();
  return (*proxy)->to_json()["toxics"];
}

Result<Json> ProxyEngine::add_toxic(const std::string& name, const Json& body) {
  auto proxy = find(name);
  if (!proxy) return proxy.error();
  auto spec = parse_toxic(body);
  if (!spec) return spec.error();
  if ((*proxy)->find_toxic(spec->name))
    return Error{ErrorCode::in_use, "toxic already exists: '" + spec->name + "'"};
  auto shared = std::make_shared<const ToxicSpec>(std::move(*spec));
  (*proxy)->add_toxic(shared);
  return shared->to_json();
}

Result<Json> ProxyEngine::get_toxic(const std::string& name, const std::string& toxic) const {
  auto proxy = find(name);
  if (!proxy) return proxy.error();
  const ToxicSpec* spec = (*proxy)->find_toxic(toxic);
  if (!spec) return Error{ErrorCode::not_found, "toxic not found: '" + toxic + "'"};
  return spec->to_json();
}

Result<Json> ProxyEngine::update_toxic(const std::string& name, const std::string& toxic,
                                       const Json& changes) {
  auto proxy = find(name);
  if (!proxy) return proxy.error();
  const ToxicSpec* current = (*proxy)->find_toxic(toxic);
  if (!current) return Error{ErrorCode::not_found, "toxic not found: '" + toxic + "'"};
  auto spec = faultline::proxy::update_toxic(*current, changes);
  if (!spec) return spec.error();
  auto shared = std::make_shared<const ToxicSpec>(std::move(*spec));
  (*proxy)->replace_toxic(shared);
  return shared->to_json();
}

Status ProxyEngine::remove_toxic(const std::string& name, const std::string& toxic) {
  auto proxy = find(name);
  if (!proxy) return proxy.error();
  if (!(*proxy)->find_toxic(toxic))
    return Error{ErrorCode::not_found, "toxic not found: '" + toxic + "'"};
  (*proxy)->remove_toxic(toxic);
  return {};
}

Status ProxyEngine::reset() {
  for (auto& [name, proxy] : proxies_) {
    proxy->remove_all_toxics();
    if (auto ok = proxy->start(); !ok) return ok.error();
  }
  return {};
}

void ProxyEngine::clear() {
  for (auto& [name, proxy] : proxies_) proxy->stop();
  proxies_.clear();
}

Json ProxyEngine::metrics() const {
  Json list = Json::array();
  for (const auto& [name, proxy] : proxies_) {
    auto& counters = proxy->counters();
    list.push_back(Json{{"name", name},
                        {"listen", proxy->listen()},
                        {"upstream", proxy->upstream()},
                        {"upstream_received_bytes", counters.received[0]},
                        {"upstream_sent_bytes", counters.sent[0]},
                        {"downstream_received_bytes", counters.received[1]},
                        {"downstream_sent_bytes", counters.sent[1]},
                        {"upstream_spliced_bytes", counters.spliced[0]},
                        {"downstream_spliced_bytes", counters.spliced[1]},
                        {"connections", proxy->connection_count()}});
  }
  return Json{{"proxies", std::move(list)},
              {"connection_memory",
               {{"mapped_bytes", memory_.mapped()}, {"allocations", memory_.allocations()}}}};
}

std::string ProxyEngine::metrics_text() const {
  std::string out;
  const char* kinds[] = {"received", "sent"};
  for (int kind = 0; kind < 2; ++kind) {
    out += fmt::format(
        "# HELP toxiproxy_proxy_{0}_bytes_total Bytes {0} by the proxy, per direction.\n"
        "# TYPE toxiproxy_proxy_{0}_bytes_total counter\n",
        kinds[kind]);
    for (const auto& [name, proxy] : proxies_) {
      auto& counters = proxy->counters();
      for (Stream stream : {Stream::upstream, Stream::downstream}) {
        uint64_t value = kind == 0 ? counters.received[int(stream)] : counters.sent[int(stream)];
        out += fmt::format(
            "toxiproxy_proxy_{}_bytes_total{{direction=\"{}\",listener=\"{}\",proxy=\"{}\","
            "upstream=\"{}\"}} {}\n",
            kinds[kind], stream_name(stream), label(proxy->listen()), label(name),
            label(proxy->upstream()), value);
      }
    }
  }
  out +=
      "# HELP faultline_proxy_connections Open connections through the proxy.\n"
      "# TYPE faultline_proxy_connections gauge\n";
  for (const auto& [name, proxy] : proxies_)
    out += fmt::format("faultline_proxy_connections{{proxy=\"{}\"}} {}\n", label(name),
                       proxy->connection_count());
  return out;
}

}  // namespace faultline::proxy

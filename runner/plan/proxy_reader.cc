#include "runner/plan/proxy_reader.h"

#include <algorithm>
#include <map>

namespace faultline {
namespace {

// The port of "HOST:PORT" or "[V6]:PORT", or an error that says what is wrong.
Result<int> port_of(const std::string& address) {
  size_t colon = address.rfind(':');
  std::string host = colon == std::string::npos ? "" : address.substr(0, colon);
  std::string port = colon == std::string::npos ? "" : address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return Error{"'" + address + "': write an IPv6 address in brackets, as [::1]:8080"};
  }
  bool digits =
      !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), ::isdigit);
  int number = digits ? std::stoi(port) : 0;
  if (host.empty() || host.find_first_of(" \t/") != std::string::npos || number < 1 ||
      number > 65535) {
    return Error{"'" + address + "' is not HOST:PORT with a port from 1 to 65535"};
  }
  return number;
}

}  // namespace

std::vector<ProxySpec> read_proxies(NodeReader& reader, const YAML::Node& node) {
  std::vector<ProxySpec> proxies;
  std::map<std::string, std::string> listeners;  // listen -> proxy
  for (const Field& entry : reader.entries(node, "proxies")) {
    std::string label = "proxy '" + entry.key + "'";
    if (!reader.identifier(entry.key_node, "proxy name")) continue;
    ProxySpec proxy;
    proxy.name = entry.key;
    proxy.where = reader.where(entry.key_node);
    bool has_listen = false, has_upstream = false;
    for (const Field& field : reader.fields(entry.value, {"listen", "upstream"}, label)) {
      auto text = reader.checkable_text(field.value, label + " " + field.key);
      if (!text) continue;
      auto port = port_of(*text);
      if (!port.ok()) {
        reader.error(field.value, label + " " + field.key + ": " + port.error().message);
        continue;
      }
      if (field.key == "listen") {
        has_listen = true;
        proxy.listen = *text;
        proxy.listen_port = *port;
        auto [other, fresh] = listeners.emplace(*text, proxy.name);
        if (!fresh)
          reader.error(field.value,
                       label + " listens where proxy '" + other->second + "' does (" + *text + ")");
      } else {
        has_upstream = true;
        proxy.upstream = *text;
      }
    }
    if (!entry.value.IsMap()) continue;
    if (!has_listen || !has_upstream) {
      reader.error(entry.value, label + " needs both 'listen' and 'upstream' (HOST:PORT)");
      continue;
    }
    if (proxy.listen == proxy.upstream) {
      reader.error(entry.value, label + " would forward to itself (" + proxy.listen + ")");
      continue;
    }
    proxies.push_back(proxy);
  }
  return proxies;
}

}  // namespace faultline

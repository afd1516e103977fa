// `faultline proxy`: the fault proxy behind a Toxiproxy-compatible HTTP API, serving
// until SIGINT, SIGTERM or SIGHUP; then every listener and connection is closed.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "faults/network/proxy/proxy_server.h"
#include "faults/network/proxy/toxiproxy_api.h"
#include "runner/cli/commands.h"
#include "runner/core/exit_codes.h"
#include "runner/os/files.h"
#include "runner/os/net.h"
#include "runner/safety/signals.h"

namespace faultline {
namespace {

using exit_codes::kUsage;
constexpr int kExitFailed = 1;
constexpr size_t kMaxConfig = 1024 * 1024;

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "faultline proxy: %s\n", message.c_str());
  return code;
}

}  // namespace

int command_proxy(const CliOptions& options) {
  StopRequest stop;
  SignalWatcher watcher(stop);
  // Each connection through a proxy holds two descriptors (four while it splices).
  raise_open_files_limit();
  auto server = proxy::ProxyServer::start();
  if (!server) return fail(kExitFailed, server.error().message);
  if (!options.proxy_config.empty()) {
    auto text = read_regular_file(options.proxy_config, kMaxConfig, "proxy config");
    if (!text) return fail(kUsage, text.error().message);
    Json config = Json::parse(*text, nullptr, false);
    if (config.is_discarded()) return fail(kUsage, options.proxy_config + ": not valid JSON");
    auto populated = (*server)->populate(config);
    if (!populated) return fail(kUsage, options.proxy_config + ": " + populated.error().message);
  }
  proxy::ToxiproxyApi api(**server);
  auto port = api.bind(options.proxy_host, options.proxy_port);
  if (!port) return fail(kExitFailed, port.error().message);
  std::string host = options.proxy_host.find(':') == std::string::npos
                         ? options.proxy_host
                         : "[" + options.proxy_host + "]";
  std::printf("faultline proxy: Toxiproxy API on http://%s:%d (%zu proxies)\n", host.c_str(), *port,
              (*server)->list_proxies().size());
  std::fflush(stdout);
  std::thread stopper([&] {
    while (!stop.requested()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    api.stop();
  });
  auto served = api.serve();
  int expected = 0;
  stop.signal.compare_exchange_strong(expected, -1);  // ends the stopper either way
  stopper.join();
  server->reset();  // destroys the ProxyServer: closes every proxy's listener and connections
  if (!served) return fail(kExitFailed, served.error().message);
  std::printf("faultline proxy: stopped; every proxy and connection closed\n");
  return 0;
}

}  // namespace faultline

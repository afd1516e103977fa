#include "faults/network/proxy/toxiproxy_api.h"

#include <httplib.h>
#include <sys/socket.h>

#include <string_view>
#include <vector>

namespace faultline::proxy {
namespace {

// Paths are routed here by splitting on '/', not by std::regex (whose libstdc++
// matcher recurses per character); httplib's own route is a catch-all, and a path
// longer than this is refused before it is matched at all.
constexpr size_t kMaxPath = 1024;
constexpr size_t kMaxBody = 1024 * 1024;

void send_json(httplib::Response& response, int status, const Json& body) {
  response.status = status;
  response.set_content(json_text(body), "application/json");
}

void send_error(httplib::Response& response, int status, const std::string& message) {
  send_json(response, status, Json{{"error", message}, {"status", status}});
}

void send_result(httplib::Response& response, const Result<Json>& result, int ok_status) {
  if (result.ok())
    send_json(response, ok_status, *result);
  else
    send_error(response, http_status(result.error()), result.error().message);
}

void send_status(httplib::Response& response, const Status& status) {
  if (status.ok())
    response.status = 204;
  else
    send_error(response, http_status(status.error()), status.error().message);
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  if (!parts.empty() && parts.back().empty()) parts.pop_back();  // a trailing slash
  return parts;
}

}  // namespace

struct ToxiproxyApi::Impl {
  explicit Impl(ProxyServer& server) : proxies(server) {}

  ProxyServer& proxies;
  httplib::Server http;
  bool bound = false;

  // The body as JSON, or an answer of 400 already sent.
  std::optional<Json> body_of(const httplib::Request& request, httplib::Response& response) {
    Json body = Json::parse(request.body, nullptr, false);
    if (body.is_discarded()) {
      send_error(response, 400, "bad request body: not valid JSON");
      return std::nullopt;
    }
    return body;
  }

  void handle(const httplib::Request& request, httplib::Response& response) {
    const std::string& method = request.method;
    auto parts = split_path(request.path);
    auto allowed = [&](std::initializer_list<std::string_view> methods) {
      for (auto one : methods)
        if (method == one) return true;
      send_error(response, 405, "method " + method + " not allowed on " + request.path);
      return false;
    };
    bool writes = method == "POST" || method == "PATCH";
    std::optional<Json> body;
    if (writes && !(parts.size() == 1 && parts[0] == "reset")) {
      body = body_of(request, response);
      if (!body) return;
    }
    if (parts.size() == 1 && parts[0] == "version") {
      if (allowed({"GET"})) send_json(response, 200, Json{{"version", kToxiproxyApiVersion}});
    } else if (parts.size() == 1 && parts[0] == "metrics") {
      if (allowed({"GET"})) {
        response.status = 200;
        response.set_content(proxies.metrics_text(), "text/plain; version=0.0.4");
      }
    } else if (parts.size() == 1 && parts[0] == "reset") {
      if (allowed({"POST"})) send_status(response, proxies.reset());
    } else if (parts.size() == 1 && parts[0] == "populate") {
      if (allowed({"POST"})) send_result(response, proxies.populate(*body), 201);
    } else if (parts.size() == 1 && parts[0] == "proxies") {
      if (!allowed({"GET", "POST"})) return;
      if (method == "GET")
        send_json(response, 200, proxies.list_proxies());
      else
        send_result(response, proxies.create_proxy(*body), 201);
    } else if (parts.size() == 2 && parts[0] == "proxies") {
      const std::string& name = parts[1];
      if (!allowed({"GET", "POST", "PATCH", "DELETE"})) return;
      if (method == "GET")
        send_result(response, proxies.get_proxy(name), 200);
      else if (method == "DELETE")
        send_status(response, proxies.delete_proxy(name));
      else
        send_result(response, proxies.update_proxy(name, *body), 200);
    } else if (parts.size() == 3 && parts[0] == "proxies" && parts[2] == "toxics") {
      if (!allowed({"GET", "POST"})) return;
      if (method == "GET")
        send_result(response, proxies.list_toxics(parts[1]), 200);
      else
        send_result(response, proxies.add_toxic(parts[1], *body), 200);
    } else if (parts.size() == 4 && parts[0] == "proxies" && parts[2] == "toxics") {
      if (!allowed({"GET", "POST", "PATCH", "DELETE"})) return;
      if (method == "GET")
        send_result(response, proxies.get_toxic(parts[1], parts[3]), 200);
      else if (method == "DELETE")
        send_status(response, proxies.remove_toxic(parts[1], parts[3]));
      else
        send_result(response, proxies.update_toxic(parts[1], parts[3], *body), 200);
    } else {
      send_error(response, 404, "404 page not found");
    }
  }
};

ToxiproxyApi::ToxiproxyApi(ProxyServer& proxies) : impl_(std::make_unique<Impl>(proxies)) {
  auto& http = impl_->http;
  http.set_payload_max_length(kMaxBody);
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a second
  // server bind the same port and silently take half the clients.
  http.set_socket_options([](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  http.set_read_timeout(std::chrono::seconds(15));
  http.set_pre_routing_handler(
      [this](const httplib::Request& request, httplib::Response& response) {
        if (request.get_header_value("User-Agent").rfind("Mozilla/", 0) == 0) {
          response.status = 403;
          response.set_content("User agent not allowed\n", "text/plain");
          return httplib::Server::HandlerResponse::Handled;
        }
        if (request.path.size() > kMaxPath) {
          send_error(response, 414, "request path longer than 1024 bytes");
          return httplib::Server::HandlerResponse::Handled;
        }
        // This runs before httplib reads a body; a request that announces none (`curl -X
        // POST .../reset`) is answered here, or httplib would wait for a body until the
        // client closes.
        if (!request.has_header("Content-Length") && !request.has_header("Transfer-Encoding")) {
          impl_->handle(request, response);
          return httplib::Server::HandlerResponse::Handled;
        }
        return httplib::Server::HandlerResponse::Unhandled;
      });
  auto handler = [this](const httplib::Request& request, httplib::Response& response) {
    impl_->handle(request, response);
  };
  http.Get(".*", handler);
  http.Post(".*", handler);
  http.Patch(".*", handler);
  http.Delete(".*", handler);
  http.Put(".*", handler);
}

ToxiproxyApi::~ToxiproxyApi() { stop(); }

Result<int> ToxiproxyApi::bind(const std::string& host, int port) {
  int bound = port;
  if (port == 0) {
    bound = impl_->http.bind_to_any_port(host);
    if (bound < 0) bound = 0;
  } else if (!impl_->http.bind_to_port(host, port)) {
    bound = 0;
  }
  if (bound <= 0)
    return Error{ErrorCode::in_use, "cannot listen on " + host + ":" + std::to_string(port) +
                                        " (address taken, or not an address of this host)"};
  impl_->bound = true;
  return bound;
}

Status ToxiproxyApi::serve() {
  if (!impl_->bound) return Error{ErrorCode::failed, "the API is not bound to an address"};
  impl_->http.listen_after_bind();
  return {};
}

void ToxiproxyApi::stop() { impl_->http.stop(); }

}  // namespace faultline::proxy

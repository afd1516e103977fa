#include "faults/network/toxics/toxic_apis.h"

#include "faults/network/proxy/proxy_server.h"
#include "runner/core/json_reader.h"
#include "runner/core/secrets.h"

namespace faultline {
namespace {

const Millis kApiTimeout{5000};

class ProxyServerToxicApi final : public ToxicApi {
 public:
  explicit ProxyServerToxicApi(proxy::ProxyServer& server) : server_(server) {}
  std::string describe() const override { return "the drill's proxies"; }
  Result<Json> proxy(const std::string& name) override { return server_.get_proxy(name); }
  Status set_enabled(const std::string& name, bool enabled) override {
    auto updated = server_.update_proxy(name, Json{{"enabled", enabled}});
    if (!updated.ok()) return updated.error();
    return {};
  }
  Status add_toxic(const std::string& name, const Json& toxic) override {
    auto added = server_.add_toxic(name, toxic);
    if (!added.ok()) return added.error();
    return {};
  }
  Status remove_toxic(const std::string& name, const std::string& toxic) override {
    return server_.remove_toxic(name, toxic);
  }

 private:
  proxy::ProxyServer& server_;
};

class HttpToxicApi final : public ToxicApi {
 public:
  HttpToxicApi(Target& target, std::string base_url) : target_(target), base_(std::move(base_url)) {
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }
  std::string describe() const override { return "Toxiproxy at " + base_; }

  Result<Json> proxy(const std::string& name) override {
    auto answer = call("GET", "/proxies/" + name, nullptr);
    if (!answer.ok()) return answer.error();
    Json parsed = Json::parse(answer->body, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object()) {
      return Error{"GET " + base_ + "/proxies/" + name + " answered something not a JSON object"};
    }
    return parsed;
  }
  Status set_enabled(const std::string& name, bool enabled) override {
    auto answer = call("POST", "/proxies/" + name, Json{{"enabled", enabled}});
    if (!answer.ok()) return answer.error();
    return {};
  }
  Status add_toxic(const std::string& name, const Json& toxic) override {
    auto answer = call("POST", "/proxies/" + name + "/toxics", toxic);
    if (!answer.ok()) return answer.error();
    return {};
  }
  Status remove_toxic(const std::string& name, const std::string& toxic) override {
    auto answer = call("DELETE", "/proxies/" + name + "/toxics/" + toxic, nullptr);
    if (!answer.ok()) return answer.error();
    return {};
  }

 private:
  // One request; a status outside 2xx becomes the ErrorCode the API means by it.
  Result<HttpResponse> call(const std::string& method, const std::string& path, const Json& body) {
    HttpRequest request;
    request.method = method;
    request.url = base_ + path;
    request.timeout = kApiTimeout;
    if (!body.is_null()) {
      request.body = body.dump();
      request.headers["Content-Type"] = "application/json";
    }
    std::string what = method + " " + request.url;
    auto response = target_.http(request);
    if (!response.ok()) return response.error().with_context(what);
    if (response->status >= 200 && response->status < 300) return response;
    Json parsed = Json::parse(response->body, nullptr, false);
    std::string said = parsed.is_object() && parsed.contains("error") && parsed["error"].is_string()
                           ? parsed["error"].get<std::string>()
                           : redacted_excerpt(response->body, 200);
    ErrorCode code = response->status == 404   ? ErrorCode::not_found
                     : response->status == 409 ? ErrorCode::in_use
                     : response->status == 400 ? ErrorCode::invalid
                                               : ErrorCode::failed;
    return Error{code, what + " answered " + std::to_string(response->status) +
                           (said.empty() ? "" : ": " + said)};
  }

  Target& target_;
  std::string base_;
};

}  // namespace

std::unique_ptr<ToxicApi> make_proxy_server_toxic_api(proxy::ProxyServer& server) {
  return std::make_unique<ProxyServerToxicApi>(server);
}

std::unique_ptr<ToxicApi> make_http_toxic_api(Target& target, std::string base_url) {
  return std::make_unique<HttpToxicApi>(target, std::move(base_url));
}

Status check_api_url(const std::string& url) {
  std::string rest;
  for (const char* scheme : {"http://", "https://"}) {
    if (url.rfind(scheme, 0) == 0) rest = url.substr(std::string(scheme).size());
  }
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  bool clean = !rest.empty() && rest.find_first_of("/?#@ \t\r\n") == std::string::npos;
  if (!clean) {
    return Error{ErrorCode::invalid,
                 "'" + url + "' is not a Toxiproxy API base URL like http://127.0.0.1:8474", "api"};
  }
  return {};
}

}  // namespace faultline

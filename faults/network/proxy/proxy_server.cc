#include "faults/network/proxy/proxy_server.h"

#include "faults/network/proxy/engine.h"

namespace faultline::proxy {

Result<std::unique_ptr<ProxyServer>> ProxyServer::start() {
  try {
    return std::unique_ptr<ProxyServer>(new ProxyServer(std::make_unique<ProxyEngine>()));
  } catch (const std::exception& error) {
    return Error{ErrorCode::failed,
                 std::string("cannot start the proxy's event loop: ") + error.what()};
  }
}

ProxyServer::ProxyServer(std::unique_ptr<ProxyEngine> engine) : engine_(std::move(engine)) {}
ProxyServer::~ProxyServer() = default;

Json ProxyServer::list_proxies() {
  return engine_->call([&] { return engine_->list_proxies(); });
}
Result<Json> ProxyServer::create_proxy(const Json& proxy) {
  return engine_->call([&] { return engine_->create_proxy(proxy); });
}
Result<Json> ProxyServer::populate(const Json& proxies) {
  return engine_->call([&] { return engine_->populate(proxies); });
}
Result<Json> ProxyServer::get_proxy(const std::string& name) {
  return engine_->call([&] { return engine_->get_proxy(name); });
}
Result<Json> ProxyServer::update_proxy(const std::string& name, const Json& changes) {
  return engine_->call([&] { return engine_->update_proxy(name, changes); });
}
Status ProxyServer::delete_proxy(const std::string& name) {
  return engine_->call([&] { return engine_->delete_proxy(name); });
}
Result<Json> ProxyServer::list_toxics(const std::string& proxy) {
  return engine_->call([&] { return engine_->list_toxics(proxy); });
}
Result<Json> ProxyServer::add_toxic(const std::string& proxy, const Json& toxic) {
  return engine_->call([&] { return engine_->add_toxic(proxy, toxic); });
}
Result<Json> ProxyServer::get_toxic(const std::string& proxy, const std::string& toxic) {
  return engine_->call([&] { return engine_->get_toxic(proxy, toxic); });
}
Result<Json> ProxyServer::update_toxic(const std::string& proxy, const std::string& toxic,
                                       const Json& changes) {
  return engine_->call([&] { return engine_->update_toxic(proxy, toxic, changes); });
}
Status ProxyServer::remove_toxic(const std::string& proxy, const std::string& toxic) {
  return engine_->call([&] { return engine_->remove_toxic(proxy, toxic); });
}
Status ProxyServer::reset() {
  return engine_->call([&] { return engine_->reset(); });
}
void ProxyServer::clear() {
  engine_->call([&] {
    engine_->clear();
    return 0;
  });
}
Json ProxyServer::metrics() {
  return engine_->call([&] { return engine_->metrics(); });
}
std::string ProxyServer::metrics_text() {
  return engine_->call([&] { return engine_->metrics_text(); });
}

int http_status(const Error& error) {
  switch (error.code) {
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::in_use:
      return 409;
    case ErrorCode::invalid:
      return 400;
    default:
      return 500;
  }
}

}  // namespace faultline::proxy

#pragma once
// The event loop and the proxies it serves, behind ProxyServer. The operations named
// like ProxyServer's run on the loop's thread only; call() carries a function there
// and waits for its answer.
#include <asio.hpp>
#include <future>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "faults/network/proxy/proxy.h"
#include "runner/core/json.h"
#include "runner/core/result.h"

namespace faultline::proxy {

class ProxyEngine {
 public:
  ProxyEngine();
  ~ProxyEngine();  // closes every proxy, then stops and joins the loop

  template <class Function>
  auto call(Function function) -> decltype(function()) {
    std::packaged_task<decltype(function())()> task(std::move(function));
    auto answer = task.get_future();
    asio::post(io_, [&task] { task(); });
    return answer.get();
  }

  Json list_proxies() const;
  Result<Json> create_proxy(const Json& body);
  Result<Json> populate(const Json& body);
  Result<Json> get_proxy(const std::string& name) const;
  Result<Json> update_proxy(const std::string& name, const Json& changes);
  Status delete_proxy(const std::string& name);
  Result<Json> list_toxics(const std::string& proxy) const;
  Result<Json> add_toxic(const std::string& proxy, const Json& body);
  Result<Json> get_toxic(const std::string& proxy, const std::string& toxic) const;
  Result<Json> update_toxic(const std::string& proxy, const std::string& toxic,
                            const Json& changes);
  Status remove_toxic(const std::string& proxy, const std::string& toxic);
  Status reset();
  void clear();
  Json metrics() const;
  std::string metrics_text() const;

 private:
  struct ProxyInput {
    std::string name;
    std::string listen;
    std::string upstream;
    bool enabled = true;
  };
  static Result<ProxyInput> read_proxy(const Json& body);
  Result<Proxy*> find(const std::string& name) const;
  Result<Json> start_proxy(const ProxyInput& input);

  ConnectionMemory memory_;  // outlives io_: its destructor destroys pending handlers
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::map<std::string, std::shared_ptr<Proxy>> proxies_;
  std::thread thread_;
};

}  // namespace faultline::proxy

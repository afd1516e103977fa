#include "runner/probes/tcp/tcp_probe.h"

#include "runner/probes/probes.h"

namespace faultline {
namespace {

class TcpProbe final : public Probe {
 public:
  TcpProbe(std::string host, int port, Millis timeout)
      : host_(std::move(host)), port_(port), timeout_(timeout) {}
  std::string describe() const override { return "connect " + host_ + ":" + std::to_string(port_); }
  std::optional<Endpoint> endpoint() const override { return Endpoint{host_, port_}; }
  ProbeOutcome check(Target& target) const override {
    Status connected = target.tcp_connect(host_, port_, timeout_);
    if (!connected) return {false, probe_detail(connected.error().message)};
    return {true, "connected"};
  }

 private:
  std::string host_;
  int port_;
  Millis timeout_;
};

class TcpProbeType final : public ProbeType {
 public:
  std::string name() const override { return "tcp"; }
  std::string summary() const override { return "TCP connect; passes when the connection opens."; }
  const Schema& schema() const override {
    static const Schema schema{{
        {"host", ParamKind::string, false, "127.0.0.1", "host name or address", {}},
        {"port", ParamKind::integer, true, nullptr, "TCP port", {}},
        {"timeout", ParamKind::duration, false, 1000, "connect limit", {}},
    }};
    return schema;
  }
  Result<std::unique_ptr<Probe>> configure(const Params& params) const override {
    int64_t port = params.integer("port");
    if (port < 1 || port > 65535) return Error{ErrorCode::invalid, "port must be 1-65535", "port"};
    if (params.duration("timeout").count() <= 0) {
      return Error{ErrorCode::invalid, "timeout must be positive", "timeout"};
    }
    return std::unique_ptr<Probe>(std::make_unique<TcpProbe>(
        params.text("host"), static_cast<int>(port), params.duration("timeout")));
  }
};

}  // namespace

std::unique_ptr<ProbeType> make_tcp_probe_type() { return std::make_unique<TcpProbeType>(); }

}  // namespace faultline

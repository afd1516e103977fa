#include <algorithm>
#include <cstdlib>
#include <iomanip>
#include <sstream>

#include "faults/fault_steps.h"
#include "faults/network/network_faults.h"
#include "runner/core/json_reader.h"

namespace faultline {
namespace {

const Millis kTcTimeout{10000};
// The qdisc handle faultline's netem takes: rollback deletes only a qdisc with it.
const std::string kHandle = "fa17:";

// Interface names: at most 15 characters (IFNAMSIZ - 1) of [A-Za-z0-9_.-].
bool is_device_name(const std::string& name) {
  return !name.empty() && name.size() <= 15 && name != "." && name != ".." &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
         });
}

// "5%", "5", "0.5%" -> 5, 5, 0.5 (0-100).
Result<double> parse_percent(const std::string& text, const std::string& field) {
  std::string number = text;
  if (!number.empty() && number.back() == '%') number.pop_back();
  char* end = nullptr;
  double value = number.empty() ? -1 : std::strtod(number.c_str(), &end);
  if (number.empty() || end == nullptr || *end != '\0' || !(value >= 0 && value <= 100)) {
    return Error{ErrorCode::invalid, "'" + text + "' is not a percentage from 0% to 100%", field};
  }
  return value;
}

std::string percent_text(double value) {
  std::ostringstream out;
  out << std::setprecision(6) << value << "%";
  return out.str();
}

struct Netem {
  std::string device;
  Millis delay{0}, jitter{0};
  double loss = 0, duplicate = 0;

  std::vector<std::string> tc_arguments() const {
    std::vector<std::string> args = {"tc",   "qdisc",  "add",   "dev",  device,
                                     "root", "handle", kHandle, "netem"};
    if (delay.count() > 0) {
      args.insert(args.end(), {"delay", std::to_string(delay.count()) + "ms"});
      if (jitter.count() > 0) args.push_back(std::to_string(jitter.count()) + "ms");
    }
    if (loss > 0) args.insert(args.end(), {"loss", percent_text(loss)});
    if (duplicate > 0) args.insert(args.end(), {"duplicate", percent_text(duplicate)});
    return args;
  }
  std::string describe() const {
    std::string text = "netem on " + device + ":";
    if (delay.count() > 0) text += " delay " + std::to_string(delay.count()) + "ms";
    if (jitter.count() > 0) text += " +-" + std::to_string(jitter.count()) + "ms";
    if (loss > 0) text += " loss " + percent_text(loss);
    if (duplicate > 0) text += " duplicate " + percent_text(duplicate);
    return text;
  }
};

// Whether this kernel has netem, asked where it changes nothing: in a network
// namespace of its own that ends with the command (unshare --net).
Status netem_available(Target& target) {
  for (const char* program : {"tc", "unshare"}) {
    if (!target.has_program(program)) {
      return Error{ErrorCode::not_found, std::string("program '") + program + "' not found on " +
                                             target.name() + " (Debian: iproute2, util-linux)"};
    }
  }
  Command probe{
      {"unshare", "--net", "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"}};
  auto tried = target.run(probe, kTcTimeout);
  if (!tried.ok()) return tried.error().with_context("netem check");
  if (tried->succeeded()) return {};
  if (tried->err.find("qdisc kind is unknown") != std::string::npos) {
    return Error{ErrorCode::not_found,
                 "this kernel has no netem (sch_netem is neither built in nor loadable: tc "
                 "says \"Specified qdisc kind is unknown\"); network.netem cannot run on " +
                     target.name() +
                     ". Use the proxy faults (network.latency, network.timeout, ...) instead"};
  }
  return step_failure("netem check", probe, *tried, kTcTimeout)
      .with_context("cannot tell whether netem works on " + target.name() +
                    " (it needs root or CAP_NET_ADMIN)");
}

class NetemFault final : public Fault {
 public:
  explicit NetemFault(Netem netem) : netem_(std::move(netem)) {}
  std::string describe() const override { return netem_.describe(); }
  Status preflight(Target& target) const override { return netem_available(target); }

  Result<Json> inject(FaultContext& context) const override {
    Json spec{{"device", netem_.device}, {"handle", kHandle}};
    if (Status journaled = context.journal_before_acting(spec, netem_.describe()); !journaled) {
      return journaled.error();
    }
    // `add` (not replace) fails when the device already has a root qdisc of its own:
    // faultline never replaces what someone else configured.
    if (Status added =
            run_fault_step(context, "inject", Command{netem_.tc_arguments()}, kTcTimeout);
        !added) {
      return added.error();
    }
    return spec;
  }

 private:
  Netem netem_;
};

class NetemType final : public FaultType {
 public:
  std::string name() const override { return "network.netem"; }
  std::string summary() const override {
    return "Delay, lose or duplicate packets on a device with tc netem (needs sch_netem).";
  }
  const Schema& schema() const override {
    static const Schema schema{{
        {"device", ParamKind::string, true, nullptr, "network interface, e.g. eth0", {}},
        {"delay", ParamKind::duration, false, 0, "added to every packet", {}},
        {"jitter", ParamKind::duration, false, 0, "delay varies by up to this", {}},
        {"loss", ParamKind::string, false, "0%", "share of packets dropped", {}},
        {"duplicate", ParamKind::string, false, "0%", "share of packets sent twice", {}},
    }};
    return schema;
  }
  Result<std::unique_ptr<Fault>> configure(const Params& params) const override {
    Netem netem;
    netem.device = params.text("device");
    if (!is_device_name(netem.device)) {
      return Error{
          ErrorCode::invalid,
          "'" + netem.device + "' is not a network interface name (1-15 of letters, digits, _ . -)",
          "device"};
    }
    netem.delay = params.duration("delay");
    netem.jitter = params.duration("jitter");
    if (netem.jitter > netem.delay) {
      return Error{ErrorCode::invalid, "jitter must not exceed delay", "jitter"};
    }
    auto loss = parse_percent(params.text("loss"), "loss");
    if (!loss.ok()) return loss.error();
    auto duplicate = parse_percent(params.text("duplicate"), "duplicate");
    if (!duplicate.ok()) return duplicate.error();
    netem.loss = *loss;
    netem.duplicate = *duplicate;
    if (netem.delay.count() == 0 && netem.loss == 0 && netem.duplicate == 0) {
      return Error{ErrorCode::invalid, "network.netem needs a delay, loss or duplicate"};
    }
    return std::unique_ptr<Fault>(std::make_unique<NetemFault>(std::move(netem)));
  }

  Result<Undo> rollback(const Json& spec, ActionContext& context) const override {
    JsonReader reader(spec, "network.netem rollback");
    auto device = reader.text("device");
    if (!device.ok()) return device.error();
    if (!is_device_name(*device)) {
      return Error{ErrorCode::invalid, "'" + *device + "' is not a network interface name"};
    }
    Command show{{"tc", "qdisc", "show", "dev", *device, "root"}};
    auto shown = context.run_step("rollback", show, kTcTimeout);
    if (!shown.ok()) return shown.error();
    // The device is gone (and its qdisc with it), or carries no netem of ours.
    if (!shown->succeeded() || shown->out.find("qdisc netem " + kHandle) == std::string::npos) {
      return Undo::already_undone;
    }
    Command remove{{"tc", "qdisc", "del", "dev", *device, "root", "handle", kHandle}};
    if (Status removed = run_fault_step(context, "rollback", remove, kTcTimeout); !removed) {
      return removed.error();
    }
    return Undo::done;
  }
};

}  // namespace

std::unique_ptr<FaultType> make_network_netem_type() { return std::make_unique<NetemType>(); }

}  // namespace faultline

#include "runner/safety/stop_process_group.h"

#include <signal.h>

#include <thread>

#include "runner/core/json_reader.h"
#include "runner/core/signals.h"

namespace faultline {
namespace {

bool wait_until_gone(const ProcessId& leader, Millis timeout, Target& target) {
  MonoTime deadline = MonoClock::now() + timeout;
  while (target.is_alive(leader)) {
    if (MonoClock::now() >= deadline) return false;
    std::this_thread::sleep_for(Millis(10));
  }
  return true;
}

class StopProcessGroupType final : public RollbackType {
 public:
  std::string name() const override { return kStopProcessGroup; }
  Result<Undo> rollback(const Json& spec, ActionContext& context) const override {
    JsonReader reader(spec, "process-group rollback");
    auto leader = read_process_id(reader);
    if (!leader.ok()) return leader.error();
    auto signal_text = reader.text_or("stop_signal", "TERM");
    if (!signal_text.ok()) return signal_text.error();
    auto signal = parse_signal(*signal_text);
    if (!signal.ok()) return signal.error().with_context(reader.where());
    auto timeout = reader.integer_or("stop_timeout_ms", 5000);
    if (!timeout.ok()) return timeout.error();
    return stop_process_group(*leader, *signal,
                              Millis(std::clamp<int64_t>(*timeout, 0, 600000)), context.target());
  }
};

}  // namespace

Json stop_process_group_spec(const ProcessId& leader, int stop_signal, Millis stop_timeout) {
  Json spec = process_id_json(leader);
  spec["stop_signal"] = signal_name(stop_signal);
  spec["stop_timeout_ms"] = stop_timeout.count();
  return spec;
}

std::unique_ptr<RollbackType> make_stop_process_group_type() {
  return std::make_unique<StopProcessGroupType>();
}

Result<Undo> stop_process_group(const ProcessId& leader, int stop_signal, Millis stop_timeout,
                                Target& target) {
  if (!target.is_alive(leader)) return Undo::already_undone;
  // A paused group would never act on the stop signal; make sure it can.
  (void)target.signal_group(leader, SIGCONT);
  if (Status sent = target.signal_group(leader, stop_signal); !sent) {
    if (sent.error().is(ErrorCode::gone)) return Undo::already_undone;
  }
  if (wait_until_gone(leader, stop_timeout, target)) return Undo::done;
  (void)target.signal_group(leader, SIGKILL);
  if (wait_until_gone(leader, Millis(2000), target)) return Undo::done;
  return Error{"process group " + std::to_string(leader.pid) + " did not stop after SIGKILL"};
}

}  // namespace faultline

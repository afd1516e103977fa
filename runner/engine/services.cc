#include "runner/engine/services.h"

#include <signal.h>

#include "runner/core/secrets.h"
#include "runner/core/signals.h"
#include "runner/engine/probe_loop.h"
#include "runner/os/files.h"
#include "runner/os/subprocess.h"
#include "runner/safety/stop_process_group.h"

namespace faultline {

struct Services::Running {
  const ServiceSpec* spec = nullptr;
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::optional<ProcessId> process;
  bool stopping = false;
  bool given_up = false;  // exited and will not be restarted
  int starts = 0;
  std::string start_error;
  std::thread thread;
};

namespace {

// Whether `process` is `leader`, in its process group, or descended from it.
bool belongs_to(const ProcessInfo& process, const ProcessId& leader, Target& target) {
  if (process.id.pid == leader.pid || process.group == leader.pid) return true;
  pid_t parent = process.parent;
  for (int depth = 0; depth < 64 && parent > 1; ++depth) {
    if (parent == leader.pid) return true;
    auto id = target.identify(parent);
    if (!id.ok()) return false;
    auto info = target.describe_process(*id);
    if (!info.ok()) return false;
    parent = info->parent;
  }
  return false;
}

}  // namespace

std::string log_tail(const std::string& path, int lines) {
  auto text = read_file(path);
  if (!text.ok() || text->empty()) return "";
  bool cut = text->size() > 8192;
  std::string tail = cut ? text->substr(text->size() - 8192) : *text;
  std::vector<std::string> kept;
  size_t at = 0;
  if (cut) at = tail.find('\n') == std::string::npos ? tail.size() : tail.find('\n') + 1;
  while (at < tail.size()) {
    size_t end = std::min(tail.find('\n', at), tail.size());
    std::string line = tail.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) kept.push_back(redacted_excerpt(line, 200));
    at = end + 1;
  }
  std::string out;
  size_t first = kept.size() > static_cast<size_t>(lines) ? kept.size() - lines : 0;
  for (size_t i = first; i < kept.size(); ++i) out += (out.empty() ? "" : " | ") + kept[i];
  return out;
}

Services::Services(const std::vector<ServiceSpec>& specs, Target& target, Journal& journal,
                   Recorder& recorder, std::string log_dir)
    : target_(target), journal_(journal), recorder_(recorder), log_dir_(std::move(log_dir)) {
  for (const auto& spec : specs) {
    running_.push_back(std::make_unique<Running>());
    running_.back()->spec = &spec;
  }
}

Services::~Services() { (void)stop_all(); }

std::string Services::log_path(const ServiceSpec& spec) const {
  return log_dir_ + "/" + spec.name + ".log";
}

std::optional<std::string> Services::expect_exits() {
  std::lock_guard lock(failure_mutex_);
  if (failed_) return failure_;
  exits_expected_ = true;
  return std::nullopt;
}

bool Services::fail_before_faults(const std::function<std::string()>& message) {
  {
    std::lock_guard lock(failure_mutex_);
    if (exits_expected_) return false;
    if (!failed_) {
      failure_ = message();
      failed_ = true;
    }
  }
  recorder_.wake();
  return true;
}

std::optional<std::string> Services::failure() const {
  if (!failed_) return std::nullopt;
  std::lock_guard lock(failure_mutex_);
  return failure_;
}

void Services::fail(const std::string& message) {
  {
    std::lock_guard lock(failure_mutex_);
    if (failed_) return;
    failure_ = message;
    failed_ = true;
  }
  recorder_.wake();
}

Status Services::start_all(const std::function<bool()>& aborted) {
  if (running_.empty()) return {};
  if (Status made = make_directories(log_dir_, 0700); !made) return made;
  for (auto& running : running_) {
    running->thread = std::thread([this, r = running.get()] {
      // Nothing may escape a thread body: it would end the runner with faults injected.
      try {
        supervise(*r);
      } catch (const std::exception& problem) {
        fail("service '" + r->spec->name + "': internal error: " + problem.what());
      }
    });
    if (Status ready = wait_ready(*running, aborted); !ready) return ready;
  }
  return {};
}

Status Services::prove_identity(const Running& running, const Endpoint& endpoint) {
  std::optional<ProcessId> process;
  {
    std::lock_guard lock(running.mutex);
    process = running.process;
  }
  if (!process) return Error{"service '" + running.spec->name + "' is not running"};
  auto listener = target_.listener(endpoint.port);
  // Nobody visible listens (a remote endpoint, another user's process as non-root):
  // the ready probe is all the evidence there is.
  if (!listener) return {};
  if (belongs_to(*listener, *process, target_)) return {};
  return Error{ErrorCode::refused, "service '" + running.spec->name + "' (pid " +
                                       std::to_string(process->pid) + ") is not what answers on " +
                                       endpoint.describe() + ": " + listener->describe() +
                                       " does. Stop that process or give the service "
                                       "another port"};
}

Status Services::wait_ready(Running& running, const std::function<bool()>& aborted) {
  const ServiceSpec& spec = *running.spec;
  MonoTime started = MonoClock::now();
  MonoTime deadline = started + spec.ready_timeout;
  std::string last_detail = "not started";
  while (!aborted()) {
    if (auto failed = failure()) return Error{*failed};
    {
      std::unique_lock lock(running.mutex);
      running.changed.wait_until(lock, std::min(deadline, MonoClock::now() + Millis(50)),
                                 [&] { return running.process || running.given_up; });
      if (!running.start_error.empty())
        return Error{"service '" + spec.name + "': " + running.start_error};
    }
    if (auto failed = failure()) return Error{*failed};
    if (current(spec.name).ok()) {
      if (!spec.ready) return {};
      ProbeSample sample = run_probe(*spec.ready, target_);
      if (sample.ok) {
        if (auto endpoint = spec.ready->probe->endpoint()) {
          if (Status proven = prove_identity(running, *endpoint); !proven) return proven;
        }
        recorder_.event("service", spec.name,
                        "ready after " + format_duration(std::chrono::duration_cast<Millis>(
                                             MonoClock::now() - started)));
        return {};
      }
      last_detail = sample.detail;
    }
    if (MonoClock::now() >= deadline) {
      return Error{"service '" + spec.name + "' was not ready within " +
                   format_duration(spec.ready_timeout) + " (" + last_detail +
                   "; log: " + log_path(spec) + ")"};
    }
    std::this_thread::sleep_for(Millis(20));
  }
  return Error{ErrorCode::cancelled, "aborted while starting service '" + spec.name + "'"};
}

void Services::supervise(Running& running) {
  const ServiceSpec& spec = *running.spec;
  while (true) {
    // Spawn under the lock: a stop() that ran between a spawn and its bookkeeping would
    // see no process, wait for this thread, and leave the new process running.
    std::unique_lock lock(running.mutex);
    if (running.stopping) return;
    std::string key;
    RunControl control;
    // Journaled before the child runs anything: a runner killed right after the spawn
    // still leaves recover a way to stop it.
    control.before_exec = [&](const ProcessId& leader) {
      key = "service/" + spec.name + "/" + std::to_string(leader.pid);
      return journal_.record_intent(
          JournalAction{key, kStopProcessGroup, target_.name(),
                        "service " + spec.name + " pid " + std::to_string(leader.pid),
                        stop_process_group_spec(leader, spec.stop_signal, spec.stop_timeout), ""});
    };
    auto process = spawn_process(spec.command, log_path(spec), control);
    if (!process.ok()) {
      if (!key.empty()) (void)journal_.record_done(key, JournalOutcome::undone, "never started");
      running.start_error = process.error().message;
      running.given_up = true;
      running.changed.notify_all();
      lock.unlock();
      recorder_.event("service", spec.name, process.error().message, false);
      fail("service '" + spec.name + "' could not start: " + process.error().message);
      return;
    }
    ++running.starts;
    running.process = *process;
    running.changed.notify_all();
    lock.unlock();
    recorder_.event("service", spec.name,
                    (running.starts == 1 ? "started pid " : "restarted as pid ") +
                        std::to_string(process->pid));

    wait_for_exit_unreaped(process->pid);
    // The leader is a zombie until reaped, so its pid (the group id) cannot be reused yet:
    // stop what it left in its group (a wrapper script's server holding the port).
    kill_group_of_unreaped_child(process->pid);
    int status = reap_child(process->pid);
    (void)journal_.record_done(key, JournalOutcome::undone, describe_wait_status(status));
    lock.lock();
    running.process.reset();
    bool stopping = running.stopping;
    running.changed.notify_all();
    lock.unlock();
    if (stopping) {
      recorder_.event("service", spec.name, "stopped (" + describe_wait_status(status) + ")");
      return;
    }
    if (fail_before_faults([&] {
          std::string tail = log_tail(log_path(spec));
          return "service '" + spec.name + "' " + describe_wait_status(status) +
                 " before any fault was injected" +
                 (tail.empty() ? "" : "; its log ends: " + tail) + " (log: " + log_path(spec) + ")";
        })) {
      recorder_.event("service", spec.name, describe_wait_status(status) + " before any fault",
                      false);
      lock.lock();
      running.given_up = true;
      running.changed.notify_all();
      return;
    }
    bool failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    bool restart = spec.restart == RestartPolicy::always ||
                   (spec.restart == RestartPolicy::on_failure && failed);
    recorder_.event("service", spec.name,
                    describe_wait_status(status) +
                        (restart ? "; restarting in " + format_duration(spec.restart_delay)
                                 : "; not restarted"),
                    false);
    lock.lock();
    if (!restart) {
      running.given_up = true;
      running.changed.notify_all();
      return;
    }
    running.changed.wait_for(lock, spec.restart_delay, [&] { return running.stopping; });
    if (running.stopping) return;
  }
}

Result<ProcessId> Services::current(const std::string& name) const {
  for (const auto& running : running_) {
    if (!running || running->spec->name != name) continue;
    std::lock_guard lock(running->mutex);
    if (running->process) return *running->process;
    return Error{ErrorCode::gone, "service '" + name + "' is not running right now"};
  }
  return Error{ErrorCode::not_found, "no service named '" + name + "'"};
}

Status Services::stop(Running& running) {
  std::unique_lock lock(running.mutex);
  running.stopping = true;
  std::optional<ProcessId> process = running.process;
  running.changed.notify_all();
  lock.unlock();
  bool stopped = true;
  if (process) {
    auto undone = stop_process_group(*process, running.spec->stop_signal,
                                     running.spec->stop_timeout, target_);
    stopped = undone.ok();
  }
  if (running.thread.joinable()) {
    if (!stopped) {
      running.thread.detach();
      return Error{"service '" + running.spec->name + "' (pid " + std::to_string(process->pid) +
                   ") did not stop"};
    }
    running.thread.join();
  }
  return {};
}

Status Services::stop_all() {
  std::string failures;
  for (auto it = running_.rbegin(); it != running_.rend(); ++it) {
    if (!*it) continue;
    if (Status stopped = stop(**it); !stopped) {
      failures += (failures.empty() ? "" : "; ") + stopped.error().message;
      // Its supervising thread still waits on the process and uses this state: leak it
      // rather than free memory a live thread reads. Journaled, so recover can stop it.
      (void)it->release();
    }
  }
  if (!failures.empty()) return Error{failures};
  return {};
}

int Services::restarts() const {
  int total = 0;
  for (const auto& running : running_) {
    if (!running) continue;
    std::lock_guard lock(running->mutex);
    total += std::max(0, running->starts - 1);
  }
  return total;
}

}  // namespace faultline

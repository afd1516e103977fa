#include "runner/engine/services.h"

#include <signal.h>
#include <sys/wait.h>

#include <cerrno>

#include "runner/core/files.h"
#include "runner/engine/probe_loop.h"

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

std::string describe_exit(int status) {
  if (WIFSIGNALED(status)) return "killed by SIG" + signal_name(WTERMSIG(status));
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

Json service_rollback(const ProcessId& process, int stop_signal) {
  return Json{
      {"pid", process.pid}, {"start_ticks", process.start_ticks}, {"stop_signal", stop_signal}};
}

// Signals the group, then waits for the leader to go; SIGKILL after `timeout`.
bool terminate_group(const ProcessId& leader, int signal, Millis timeout,
                     const std::function<bool()>& gone) {
  if (!signal_process_group(leader, signal).ok()) return gone();
  MonoTime deadline = MonoClock::now() + timeout;
  while (MonoClock::now() < deadline) {
    if (gone()) return true;
    std::this_thread::sleep_for(Millis(10));
  }
  (void)signal_process_group(leader, SIGKILL);
  for (int i = 0; i < 200 && !gone(); ++i) std::this_thread::sleep_for(Millis(10));
  return gone();
}

}  // namespace

Services::Services(const std::vector<ServiceSpec>& specs, Target& target, Journal& journal,
                   Recorder& recorder, std::string log_dir)
    : target_(target), journal_(journal), recorder_(recorder), log_dir_(std::move(log_dir)) {
  for (const auto& spec : specs) {
    running_.push_back(std::make_unique<Running>());
    running_.back()->spec = &spec;
  }
}

Services::~Services() { (void)stop_all(); }

Status Services::start_all(const std::function<bool()>& aborted) {
  if (running_.empty()) return {};
  if (Status made = make_directories(log_dir_); !made) return made;
  for (auto& running : running_) {
    running->thread = std::thread([this, r = running.get()] { supervise(*r); });
    if (Status ready = wait_ready(*running, aborted); !ready) return ready;
  }
  return {};
}

Status Services::wait_ready(Running& running, const std::function<bool()>& aborted) {
  const ServiceSpec& spec = *running.spec;
  MonoTime started = MonoClock::now();
  MonoTime deadline = started + spec.ready_timeout;
  std::string last_detail = "not started";
  while (!aborted()) {
    {
      std::unique_lock lock(running.mutex);
      running.changed.wait_until(lock, std::min(deadline, MonoClock::now() + Millis(50)),
                                 [&] { return running.process || running.given_up; });
      if (!running.start_error.empty())
        return Error{"service '" + spec.name + "': " + running.start_error};
      if (running.given_up) {
        return Error{"service '" + spec.name + "' exited before it was ready (log: " + log_dir_ +
                     "/" + spec.name + ".log)"};
      }
    }
    if (current(spec.name).ok()) {
      if (!spec.ready) return {};
      ProbeSample sample = run_probe(*spec.ready, target_);
      if (sample.ok) {
        recorder_.event("service", spec.name,
                        "ready after " + format_duration(std::chrono::duration_cast<Millis>(
                                             MonoClock::now() - started)));
        return {};
      }
      last_detail = sample.detail;
    }
    if (MonoClock::now() >= deadline) {
      return Error{"service '" + spec.name + "' was not ready within " +
                   format_duration(spec.ready_timeout) + " (" + last_detail + "; log: " + log_dir_ +
                   "/" + spec.name + ".log)"};
    }
    std::this_thread::sleep_for(Millis(20));
  }
  return Error{"aborted while starting service '" + spec.name + "'"};
}

void Services::supervise(Running& running) {
  const ServiceSpec& spec = *running.spec;
  while (true) {
    // Spawn under the lock: a stop() that ran between a spawn and its bookkeeping would
    // see no process, wait for this thread, and leave the new process running.
    std::unique_lock lock(running.mutex);
    if (running.stopping) return;
    auto process = spawn_process(spec.command, log_dir_ + "/" + spec.name + ".log");
    if (!process.ok()) {
      running.start_error = process.error().message;
      running.given_up = true;
      running.changed.notify_all();
      lock.unlock();
      recorder_.event("service", spec.name, process.error().message, false);
      return;
    }
    ++running.starts;
    std::string key = "service/" + spec.name + "/" + std::to_string(process->pid);
    Status journaled = journal_.record_intent(
        JournalAction{key, "service", target_.name(),
                      "service " + spec.name + " pid " + std::to_string(process->pid),
                      service_rollback(*process, spec.stop_signal)});
    running.process = *process;
    running.changed.notify_all();
    lock.unlock();
    recorder_.event("service", spec.name,
                    (running.starts == 1 ? "started pid " : "restarted as pid ") +
                        std::to_string(process->pid) +
                        (journaled ? "" : " (journal: " + journaled.error().message + ")"));

    siginfo_t exited{};
    while (waitid(P_PID, process->pid, &exited, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
    }
    // The leader is a zombie until reaped, so its pid (the group id) cannot be reused yet:
    // stop what it left in its group (a wrapper script's server holding the port).
    kill(-process->pid, SIGKILL);
    int status = 0;
    while (waitpid(process->pid, &status, 0) < 0 && errno == EINTR) {
    }
    (void)journal_.record_done(key, true);
    lock.lock();
    running.process.reset();
    bool stopping = running.stopping;
    running.changed.notify_all();
    lock.unlock();
    if (stopping) {
      recorder_.event("service", spec.name, "stopped (" + describe_exit(status) + ")");
      return;
    }
    bool failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    bool restart = spec.restart == RestartPolicy::always ||
                   (spec.restart == RestartPolicy::on_failure && failed);
    recorder_.event(
        "service", spec.name,
        describe_exit(status) + (restart ? "; restarting in " + format_duration(spec.restart_delay)
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
    return Error{"service '" + name + "' is not running right now"};
  }
  return Error{"no service named '" + name + "'"};
}

Status Services::stop(Running& running) {
  std::unique_lock lock(running.mutex);
  running.stopping = true;
  std::optional<ProcessId> process = running.process;
  running.changed.notify_all();
  lock.unlock();
  bool stopped = true;
  if (process) {
    // A paused service would never act on SIGTERM; make sure it can.
    (void)signal_process_group(*process, SIGCONT);
    stopped = terminate_group(*process, running.spec->stop_signal, running.spec->stop_timeout, [&] {
      std::lock_guard guard(running.mutex);
      return !running.process.has_value();
    });
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

Status stop_service_group(const Json& rollback) {
  ProcessId leader{rollback.value("pid", 0), rollback.value("start_ticks", uint64_t{0})};
  if (!is_same_process_alive(leader)) return {};
  (void)signal_process_group(leader, SIGCONT);
  bool stopped = terminate_group(leader, rollback.value("stop_signal", SIGTERM), Millis(5000),
                                 [&] { return !is_same_process_alive(leader); });
  if (!stopped) return Error{"service pid " + std::to_string(leader.pid) + " did not stop"};
  return {};
}

}  // namespace faultline

#include "runner/engine/preflight.h"

#include <unistd.h>

#include <filesystem>

#include "reports/reports.h"
#include "runner/engine/probe_loop.h"
#include "runner/engine/selection.h"

namespace faultline {
namespace {

class Checks {
 public:
  explicit Checks(PreflightResult& result) : result_(result) {}
  void add(const std::string& what, const Status& status, const std::string& ok_detail = "ok") {
    result_.checks.push_back({what, status.ok(), status.ok() ? ok_detail : status.error().message});
  }

 private:
  PreflightResult& result_;
};

Status lock(TargetLocks& locks, LockMode mode, const std::string& key, const std::string& what) {
  return mode == LockMode::take ? locks.acquire(key, what) : locks.check_free(key, what);
}

bool is_local_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host == "0.0.0.0" || host == "::" ||
         host.rfind("127.", 0) == 0;
}

// A service's ready endpoint must be free before the service starts: something that
// already answers there would pass every probe while the service itself crash-loops.
Status endpoint_is_free(const ServiceSpec& service, const Endpoint& endpoint, Target& target) {
  std::optional<ProcessInfo> holder =
      is_local_host(endpoint.host) ? target.listener(endpoint.port) : std::nullopt;
  std::string who = holder ? " (" + holder->describe() + ")" : "";
  ProbeSample sample = run_probe(*service.ready, target);
  if (sample.ok) {
    return Error{ErrorCode::in_use, "something already answers its ready probe on " +
                                        endpoint.describe() + who +
                                        "; it would stand in for the service. Stop it or "
                                        "give the service another port"};
  }
  if (holder) {
    return Error{ErrorCode::in_use, "port " + std::to_string(endpoint.port) +
                                        " is already taken by " + holder->describe() +
                                        "; the service could not listen there"};
  }
  return {};
}

// The folder exists and is writable, or the nearest existing folder above it is.
Status could_create_folder(const std::string& dir) {
  std::filesystem::path path = std::filesystem::absolute(dir);
  std::error_code ec;
  while (!std::filesystem::exists(path, ec) && path.has_parent_path() &&
         path != path.parent_path()) {
    path = path.parent_path();
  }
  if (!std::filesystem::is_directory(path, ec)) {
    return Error{ErrorCode::invalid, path.string() + " is not a folder"};
  }
  if (::access(path.c_str(), W_OK) != 0) {
    return Error{ErrorCode::refused, "cannot write in " + path.string()};
  }
  return {};
}

}  // namespace

std::string process_lock_key(const ProcessId& process) {
  return "process/" + std::to_string(process.pid) + "-" + std::to_string(process.start_ticks);
}

std::string selector_lock_key(const ProcessSelector& selector) {
  if (!selector.pidfile.empty()) {
    return "pidfile/" + std::filesystem::absolute(selector.pidfile).lexically_normal().string();
  }
  return "process-name/" + selector.process;
}

std::string port_lock_key(int port) { return "tcp-port/" + std::to_string(port); }

bool PreflightResult::ok() const {
  for (const auto& check : checks) {
    if (!check.ok) return false;
  }
  return true;
}

std::vector<std::string> PreflightResult::problems() const {
  std::vector<std::string> out;
  for (const auto& check : checks) {
    if (!check.ok) out.push_back(check.what + ": " + check.detail);
  }
  return out;
}

PreflightResult run_preflight(const Plan& plan, Target& target, const PreflightOptions& options,
                              TargetLocks& locks, LockMode mode) {
  PreflightResult result;
  Checks checks(result);
  for (const auto& fault : plan.faults) {
    if (options.stop_requested()) {
      result.stopped = true;
      return result;
    }
    std::string label = "fault '" + fault.name + "' (" + fault.type + ")";
    checks.add(label + " on " + target.name(), fault.fault->preflight(target));
    if (!fault.target || !fault.target->service.empty()) continue;
    const ProcessSelector& selector = *fault.target;
    auto selected = select_processes(selector, target);
    if (!selected.ok() && !selector.pidfile.empty() && !plan.services.empty() &&
        selected.error().is(ErrorCode::not_found)) {
      // A service of the plan may write it when it starts (a database the plan brings
      // up): the blast-radius rules and the lock then apply when the fault fires.
      checks.add(label + " target " + selector.describe(), Status(),
                 "not there yet (a service may create it): checked when the fault fires");
      continue;
    }
    if (!selected.ok()) {
      checks.add(label + " target " + selector.describe(), selected.error());
      continue;
    }
    result.blast_radius[fault.name] = *selected;
    Status locked = lock(locks, mode, selector_lock_key(selector), selector.describe());
    for (const auto& process : *selected) {
      if (!locked) break;
      locked = lock(locks, mode, process_lock_key(process.id), process.describe());
    }
    checks.add(label + " target " + selector.describe(), locked ? Status() : locked,
               "will act on " + describe_processes(*selected));
  }
  for (const auto& service : plan.services) {
    std::string label = "service '" + service.name + "'";
    const std::string& program = service.command.argv.at(0);
    checks.add(label + " program",
               target.has_program(program)
                   ? Status()
                   : Status(Error{ErrorCode::not_found, "program '" + program + "' not found"}),
               program);
    if (!service.ready) continue;
    auto endpoint = service.ready->probe->endpoint();
    if (!endpoint) continue;
    // The lock first: when another drill's service holds the port, that drill is the
    // news, not the process that answers there.
    Status free = lock(locks, mode, port_lock_key(endpoint->port),
                       label + " port " + std::to_string(endpoint->port));
    if (free) free = endpoint_is_free(service, *endpoint, target);
    checks.add(label + " ready endpoint " + endpoint->describe(), free, "free");
  }
  for (const auto& proxy : plan.proxies) {
    std::string label = "proxy '" + proxy.name + "' listen " + proxy.listen;
    Status free = lock(locks, mode, port_lock_key(proxy.listen_port), label);
    auto holder = free ? target.listener(proxy.listen_port) : std::nullopt;
    if (holder) {
      free = Error{ErrorCode::in_use, "port " + std::to_string(proxy.listen_port) +
                                          " is already taken by " + holder->describe()};
    }
    checks.add(label, free, "free");
  }
  // The dry run looks without creating anything; the drill creates the folder now, so
  // that a record that cannot be written is found before any fault acts.
  checks.add("records folder " + options.records_dir,
             mode == LockMode::take ? prepare_record_dir(options.records_dir)
                                    : could_create_folder(options.records_dir),
             "writable");
  if (!options.junit_path.empty()) {
    checks.add("JUnit file " + options.junit_path, check_junit_destination(options.junit_path),
               "writable");
  }
  return result;
}

}  // namespace faultline

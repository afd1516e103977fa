#pragma once
// A drill plan: parsed, validated, and with every fault and probe already configured
// by its type. Nothing in a Plan can fail validation later.
#include <csignal>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runner/core/command.h"
#include "runner/core/duration.h"
#include "runner/core/fault.h"
#include "runner/core/probe.h"
#include "runner/plan/diagnostic.h"
#include "runner/plan/objective_kinds.h"

namespace faultline {

// Which processes a fault acts on: a plan service, a pidfile, or a process name.
struct ProcessSelector {
  std::string service;
  std::string pidfile;
  std::string process;
  bool all = false;  // with `process`: several matches are fine, up to `max`
  int max = 0;       // with `all`: preflight refuses more matches than this
  // Processes of users other than the one running the drill are refused unless the
  // plan names their user here; a process-name selection then keeps only theirs.
  std::string user;
  std::string describe() const;
};

struct ProbeSpec {
  std::string name;
  std::string type;
  Json params;  // normalized; secrets are redacted when written out
  const ProbeType* probe_type = nullptr;
  std::shared_ptr<const Probe> probe;
  SourceLocation where;
};

struct FaultSpec {
  std::string name;
  std::string type;
  Millis at{0};                    // offset from the end of the baseline
  std::string after;               // the fault `at` was computed from, if any
  std::optional<Millis> duration;  // rolled back at at + duration; else at the rollback phase
  std::optional<ProcessSelector> target;
  Json params;
  const FaultType* fault_type = nullptr;
  std::shared_ptr<const Fault> fault;
  SourceLocation where;
};

enum class RestartPolicy { never, always, on_failure };

struct ServiceSpec {
  std::string name;
  Command command;
  std::optional<ProbeSpec> ready;
  Millis ready_timeout{10000};
  RestartPolicy restart = RestartPolicy::never;
  Millis restart_delay{0};
  int stop_signal = SIGTERM;
  Millis stop_timeout{5000};
};

// A TCP proxy the runner serves for the drill (`proxies:`): started in preflight,
// stopped at teardown; proxy faults (network.latency, ...) act on it by name.
struct ProxySpec {
  std::string name;
  std::string listen;    // HOST:PORT (IPv6 as [::1]:PORT), a port that is not 0
  std::string upstream;  // HOST:PORT it forwards to
  int listen_port = 0;
  SourceLocation where;
};

struct ObjectiveSpec {
  std::string name;   // an objective_kinds() name: "rto", "rpo", "availability"
  double target = 0;  // in `unit`
  ObjectiveUnit unit = ObjectiveUnit::ms;
};

class LedgerType;

// The plan's `workload:`: a write ledger the RPO is measured from (runner/workload).
struct WorkloadSpec {
  std::string ledger;  // the backend: "postgres"
  Json params;         // checked against the backend's schema, defaults in
  const LedgerType* ledger_type = nullptr;
  int rate = 200;  // writes per second
  Millis write_timeout{1000};
  Millis read_back_timeout{10000};
  SourceLocation where;
};

struct SteadyState {
  Millis interval{1000};
  int recovered_after = 3;  // K consecutive passing rounds
  int baseline_rounds = 3;
  // How many rounds may run at once; 0 = decide from the probes (see rounds_in_flight).
  int max_in_flight = 0;
  std::vector<ProbeSpec> probes;

  // max_in_flight, or 64 when every probe is cheap to overlap (http, tcp), else 2 (a
  // process per check: overlapping many would load the machine being tested).
  int rounds_in_flight() const;
};

// The plan's continuity metadata (continuity_reader.h), shown in records and reports.
struct Participant {
  std::string name, role;  // role: commander, operator, observer
};
struct Continuity {
  std::string service, impact, tier;
  std::vector<std::string> scope;
  std::string emergency_plan, emergency_plan_version;
  std::vector<Participant> participants;
};

// When the drill is due (`schedule:`, schedule_reader.h): a cron expression in an IANA
// time zone, both checked at load (runner/schedule/schedule.h makes the due times).
struct PlanSchedule {
  std::string cron, timezone;
};

struct Plan {
  std::string path;
  std::string sha256;  // of the file as written, before substitution
  int version = 1;
  std::string name, description, owner, runbook;
  std::vector<ObjectiveSpec> objectives;
  Continuity continuity;
  std::optional<PlanSchedule> schedule;
  std::vector<ServiceSpec> services;
  std::vector<ProxySpec> proxies;
  SteadyState steady_state;
  std::vector<FaultSpec> faults;  // in firing order
  std::optional<WorkloadSpec> workload;
  Millis recovery_timeout{60000};
  // After recovery, keep probing this long: the window availability is measured over.
  Millis recovery_observe{0};

  const ServiceSpec* service(const std::string& name) const;
};

}  // namespace faultline

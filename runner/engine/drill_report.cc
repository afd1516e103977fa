#include "runner/engine/drill_report.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "faultline_version.h"
#include "runner/core/secrets.h"

namespace faultline {
namespace {

constexpr const char* kTimeBase =
    "every t_ms and *_ms offset is milliseconds since started_at, on the monotonic clock";

Json optional_time(const std::optional<WallTime>& at) {
  return at ? Json(utc_iso8601(*at)) : Json(nullptr);
}

Json latency_summary(const std::vector<double>& values) {
  if (values.empty()) return nullptr;
  return Json{{"count", values.size()},
              {"p50_ms", json_number(percentile(values, 50))},
              {"p95_ms", json_number(percentile(values, 95))},
              {"p99_ms", json_number(percentile(values, 99))}};
}

Json probe_json(const ProbeSpec& spec, const std::vector<Round>& rounds, size_t index) {
  Json samples = Json::array();
  std::map<std::string, std::vector<double>> latency_by_phase;
  std::vector<double> all;
  int passed = 0;
  for (const auto& round : rounds) {
    if (index >= round.samples.size()) continue;
    const ProbeSample& sample = round.samples[index];
    samples.push_back(Json{{"t_ms", json_number(round.ended_ms)},
                           {"started_ms", json_number(round.started_ms)},
                           {"phase", round.phase},
                           {"ok", sample.ok},
                           {"latency_ms", json_number(sample.latency_ms)},
                           {"detail", sample.detail}});
    latency_by_phase[round.phase].push_back(sample.latency_ms);
    all.push_back(sample.latency_ms);
    passed += sample.ok ? 1 : 0;
  }
  Json by_phase = Json::object();
  for (const auto& [phase, values] : latency_by_phase) by_phase[phase] = latency_summary(values);
  return Json{
      {"name", spec.name},
      {"type", spec.type},
      {"describe", spec.probe->describe()},
      {"params", spec.probe_type ? spec.probe_type->schema().for_record(spec.params) : spec.params},
      {"summary",
       {{"samples", samples.size()},
        {"passed", passed},
        {"failed", static_cast<int>(samples.size()) - passed},
        {"latency", latency_summary(all)},
        {"latency_by_phase", by_phase}}},
      {"samples", samples}};
}

Json process_json(const ProcessInfo& process) {
  return Json{{"pid", process.id.pid},
              {"name", process.name},
              {"user", process.user},
              {"command_line", process.command_line}};
}

Json step_json(const StepRecord& step) {
  return Json{{"step", step.step},
              {"command", step.command},
              {"started_ms", json_number(step.started_ms)},
              {"ended_ms", json_number(step.ended_ms)},
              {"outcome", step.outcome},
              {"exit_code", step.exit_code},
              {"stdout", step.out},
              {"stderr", step.err}};
}

std::string rollback_outcome(const FaultRun& run) {
  if (!run.journaled) return "not_injected";
  if (!run.needs_rollback) return "not_needed";
  if (!run.rolled_back) return "not_run";
  return run.rollback_outcome;
}

Json fault_json(const FaultRun& run, const Measurements& measurements) {
  const FaultSpec& spec = *run.spec;
  Json processes = Json::array();
  for (const auto& process : run.processes) processes.push_back(process_json(process));
  Json steps = Json::array();
  for (const auto& step : run.steps) steps.push_back(step_json(step));
  Json fault{{"name", spec.name},
             {"type", spec.type},
             {"target", spec.target ? Json(spec.target->describe()) : Json(nullptr)},
             {"params", spec.fault_type->schema().for_record(spec.params)},
             {"planned_at_ms",
              run.injected_ms || run.planned_ms > 0 ? json_number(run.planned_ms) : Json(nullptr)},
             {"duration_ms", spec.duration ? Json(spec.duration->count()) : Json(nullptr)},
             {"what", run.what},
             {"processes", processes},
             {"injected_at_ms", json_number(run.injected_ms)},
             {"injected_at", optional_time(run.injected_at)},
             {"inject",
              {{"ok", run.injected_ms.has_value() && run.inject_error.empty()},
               {"error", run.inject_error.empty() ? Json(nullptr) : Json(run.inject_error)}}},
             {"rolled_back_at_ms", json_number(run.rolled_back_ms)},
             {"rolled_back_at", optional_time(run.rolled_back_at)},
             {"rollback",
              {{"needed", run.needs_rollback},
               {"outcome", rollback_outcome(run)},
               {"ok", !run.needs_rollback || (run.rolled_back && run.rollback_error.empty())},
               {"error", run.rollback_error.empty() ? Json(nullptr) : Json(run.rollback_error)}}},
             {"steps", steps},
             {"time_to_detect_ms", nullptr},
             {"outages", Json::array()},
             {"recovered_at_ms", nullptr},
             {"rto_ms", nullptr}};
  for (const auto& measured : measurements.faults) {
    if (measured.name != spec.name) continue;
    fault["time_to_detect_ms"] = json_number(measured.time_to_detect_ms);
    fault["outages"] = measured.outages;
    fault["recovered_at_ms"] = json_number(measured.recovered_ms);
    fault["rto_ms"] = json_number(measured.rto_ms);
  }
  return fault;
}

Json timeline_json(std::vector<TimelineEvent> events) {
  std::stable_sort(events.begin(), events.end(),
                   [](const auto& a, const auto& b) { return a.t_ms < b.t_ms; });
  Json timeline = Json::array();
  for (const auto& event : events) {
    timeline.push_back(Json{{"t_ms", json_number(event.t_ms)},
                            {"at", utc_iso8601(event.wall)},
                            {"kind", event.kind},
                            {"name", event.name},
                            {"detail", event.detail},
                            {"ok", event.ok}});
  }
  return timeline;
}

Json continuity_json(const Continuity& continuity) {
  Json participants = Json::array();
  for (const auto& participant : continuity.participants) {
    participants.push_back(Json{{"name", participant.name}, {"role", participant.role}});
  }
  auto text_or_null = [](const std::string& text) { return text.empty() ? Json() : Json(text); };
  return Json{{"service", text_or_null(continuity.service)},
              {"impact", text_or_null(continuity.impact)},
              {"scope", continuity.scope},
              {"emergency_plan", text_or_null(continuity.emergency_plan)},
              {"emergency_plan_version", text_or_null(continuity.emergency_plan_version)},
              {"participants", participants},
              {"tier", text_or_null(continuity.tier)}};
}

}  // namespace

void redact_all(Json& value) {
  if (value.is_string()) {
    value = redact(value.get<std::string>());
  } else if (value.is_structured()) {
    for (auto& child : value) redact_all(child);
  }
}

Json workload_json(const WorkloadRun& run) {
  return Json{{"ledger", run.ledger},
              {"describe", run.describe},
              {"rate_per_second", run.rate},
              {"write_timeout_ms", json_number(run.write_timeout_ms)},
              {"started_ms", json_number(run.started_ms)},
              {"stopped_ms", json_number(run.stopped_ms)},
              {"write_errors", run.counters.errors},
              {"last_error", run.counters.last_error},
              {"connects", run.counters.connects},
              {"error", run.error},
              {"read_back_ms", json_number(run.read_back_ms)},
              {"read_back_server", run.read_back_server},
              {"ledger_measurement",
               run.measurement ? ledger_measurement_json(*run.measurement) : Json(nullptr)}};
}

Json record_json(const DrillReport& report) {
  const Plan& plan = *report.plan;
  Json phases = Json::array();
  for (const auto& phase : report.phases) {
    phases.push_back(Json{{"name", phase.name},
                          {"started_ms", json_number(phase.started_ms)},
                          {"ended_ms", json_number(phase.ended_ms)},
                          {"started_at", utc_iso8601(phase.started_at)}});
  }
  Json faults = Json::array();
  int injected = 0, rolled_back = 0, rollback_failures = 0;
  for (const auto& run : report.faults) {
    faults.push_back(fault_json(run, report.measurements));
    injected += run.journaled ? 1 : 0;
    rolled_back += run.rolled_back && run.rollback_error.empty() ? 1 : 0;
    rollback_failures += run.rollback_error.empty() ? 0 : 1;
  }
  Json probes = Json::array();
  for (size_t i = 0; i < plan.steady_state.probes.size(); ++i) {
    probes.push_back(probe_json(plan.steady_state.probes[i], report.rounds, i));
  }
  Json preflight = Json::array();
  for (const auto& check : report.preflight) {
    preflight.push_back(Json{{"what", check.what}, {"ok", check.ok}, {"detail", check.detail}});
  }
  Json vars = Json::object();
  for (const auto& [name, value] : report.var_overrides) vars[name] = value;
  std::error_code ec;
  std::string plan_path =
      plan.path == "-" ? "-" : std::filesystem::absolute(plan.path, ec).lexically_normal().string();
  Json record{
      {"schema", kRecordSchema},
      {"id", report.drill_id},
      {"faultline_version", FAULTLINE_VERSION},
      {"time_base", kTimeBase},
      {"plan",
       {{"name", plan.name},
        {"path", plan_path},
        {"sha256", plan.sha256},
        {"version", plan.version},
        {"description", plan.description},
        {"owner", plan.owner},
        {"runbook", plan.runbook},
        {"vars", vars},
        {"continuity", continuity_json(plan.continuity)},
        {"schedule",
         plan.schedule ? Json{{"cron", plan.schedule->cron}, {"timezone", plan.schedule->timezone}}
                       : Json(nullptr)}}},
      {"host", report.host},
      {"operator", report.operator_name},
      {"target", report.target},
      {"started_at", utc_iso8601(report.started_at)},
      {"ended_at", utc_iso8601(report.ended_at)},
      {"duration_ms",
       std::chrono::duration_cast<Millis>(report.ended_at - report.started_at).count()},
      {"verdict", report.verdict},
      {"exit_code", report.exit_code},
      {"reason", report.reason},
      {"leftovers", report.leftovers},
      {"notes", report.notes},
      {"steady_state",
       {{"interval_ms", plan.steady_state.interval.count()},
        {"recovered_after", plan.steady_state.recovered_after},
        {"baseline_rounds", plan.steady_state.baseline_rounds},
        {"max_in_flight", plan.steady_state.rounds_in_flight()},
        {"rounds", report.rounds.size()}}},
      {"objectives", objectives_to_json(report.objectives)},
      {"measurements", measurements_to_json(report.measurements)},
      {"workload", report.workload ? workload_json(*report.workload) : Json(nullptr)},
      {"counters",
       {{"faults_planned", plan.faults.size()},
        {"faults_injected", injected},
        {"faults_rolled_back", rolled_back},
        {"rollback_failures", rollback_failures},
        {"service_restarts", report.service_restarts}}},
      {"preflight", preflight},
      {"phases", phases},
      {"faults", faults},
      {"probes", probes},
      {"timeline", timeline_json(report.timeline)},
      {"service_logs", report.service_logs.empty() ? Json(nullptr) : Json(report.service_logs)},
  };
  redact_all(record);
  return record;
}

}  // namespace faultline

#include "runner/engine/drill_report.h"

#include <cmath>

#include "faultline_version.h"
#include "runner/core/secrets.h"

namespace faultline {
namespace {

double rounded(double ms) { return std::round(ms * 1000.0) / 1000.0; }

Json optional_ms(const std::optional<double>& ms) {
  return ms ? Json(rounded(*ms)) : Json(nullptr);
}
Json optional_time(const std::optional<WallTime>& at) {
  return at ? Json(utc_iso8601(*at)) : Json(nullptr);
}

Json latency_summary(const std::vector<double>& values) {
  if (values.empty()) return nullptr;
  return Json{{"count", values.size()},
              {"p50", rounded(*percentile(values, 50))},
              {"p95", rounded(*percentile(values, 95))},
              {"p99", rounded(*percentile(values, 99))}};
}

Json probe_json(const ProbeSpec& spec, const std::vector<Round>& rounds, size_t index) {
  Json samples = Json::array();
  std::map<std::string, std::vector<double>> latency_by_phase;
  std::vector<double> all;
  int passed = 0;
  for (const auto& round : rounds) {
    if (index >= round.samples.size()) continue;
    const ProbeSample& sample = round.samples[index];
    samples.push_back(Json{{"t_ms", rounded(round.ended_ms)},
                           {"phase", round.phase},
                           {"ok", sample.ok},
                           {"latency_ms", rounded(sample.latency_ms)},
                           {"detail", sample.detail}});
    latency_by_phase[round.phase].push_back(sample.latency_ms);
    all.push_back(sample.latency_ms);
    passed += sample.ok ? 1 : 0;
  }
  Json by_phase = Json::object();
  for (const auto& [phase, values] : latency_by_phase) by_phase[phase] = latency_summary(values);
  return Json{{"name", spec.name},
              {"type", spec.type},
              {"describe", spec.probe->describe()},
              {"params", spec.params},
              {"summary",
               {{"samples", samples.size()},
                {"passed", passed},
                {"failed", static_cast<int>(samples.size()) - passed},
                {"latency_ms", latency_summary(all)},
                {"latency_ms_by_phase", by_phase}}},
              {"samples", samples}};
}

Json fault_json(const FaultRun& run) {
  const FaultSpec& spec = *run.spec;
  return Json{{"name", spec.name},
              {"type", spec.type},
              {"target", spec.target ? Json(spec.target->describe()) : Json(nullptr)},
              {"params", spec.params},
              {"planned_at_ms", spec.at.count()},
              {"duration_ms", spec.duration ? Json(spec.duration->count()) : Json(nullptr)},
              {"what", run.what},
              {"injected_at_ms", optional_ms(run.injected_ms)},
              {"injected_at", optional_time(run.injected_at)},
              {"inject",
               {{"ok", run.injected_ms.has_value() && run.inject_error.empty()},
                {"error", run.inject_error.empty() ? Json(nullptr) : Json(run.inject_error)}}},
              {"rolled_back_at_ms", optional_ms(run.rolled_back_ms)},
              {"rolled_back_at", optional_time(run.rolled_back_at)},
              {"rollback",
               {{"needed", run.journaled},
                {"ok", !run.journaled || (run.rolled_back && run.rollback_error.empty())},
                {"error", run.rollback_error.empty() ? Json(nullptr) : Json(run.rollback_error)}}}};
}

// Walks every string in the record through redact(), so no path can leak a secret.
void redact_all(Json& value) {
  if (value.is_string()) {
    value = redact(value.get<std::string>());
  } else if (value.is_structured()) {
    for (auto& child : value) redact_all(child);
  }
}

}  // namespace

Json record_json(const DrillReport& report) {
  const Plan& plan = *report.plan;
  Json phases = Json::array();
  for (const auto& phase : report.phases) {
    phases.push_back(Json{{"name", phase.name},
                          {"started_ms", rounded(phase.started_ms)},
                          {"ended_ms", rounded(phase.ended_ms)},
                          {"started_at", utc_iso8601(phase.started_at)}});
  }
  Json timeline = Json::array();
  for (const auto& event : report.timeline) {
    timeline.push_back(Json{{"t_ms", rounded(event.t_ms)},
                            {"at", utc_iso8601(event.wall)},
                            {"kind", event.kind},
                            {"name", event.name},
                            {"detail", event.detail},
                            {"ok", event.ok}});
  }
  Json faults = Json::array();
  int injected = 0, rolled_back = 0, rollback_failures = 0;
  for (const auto& run : report.faults) {
    faults.push_back(fault_json(run));
    injected += run.injected_ms ? 1 : 0;
    rolled_back += run.rolled_back && run.rollback_error.empty() ? 1 : 0;
    rollback_failures += run.rollback_error.empty() ? 0 : 1;
  }
  Json probes = Json::array();
  for (size_t i = 0; i < plan.steady_state.probes.size(); ++i) {
    probes.push_back(probe_json(plan.steady_state.probes[i], report.rounds, i));
  }
  Json record{
      {"schema", kRecordSchema},
      {"id", report.drill_id},
      {"faultline_version", FAULTLINE_VERSION},
      {"plan",
       {{"name", plan.name},
        {"sha256", plan.sha256},
        {"path", plan.path},
        {"version", plan.version},
        {"description", plan.description},
        {"owner", plan.owner},
        {"runbook", plan.runbook}}},
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
      {"steady_state",
       {{"interval_ms", plan.steady_state.interval.count()},
        {"recovered_after", plan.steady_state.recovered_after},
        {"baseline_rounds", plan.steady_state.baseline_rounds},
        {"max_in_flight", plan.steady_state.rounds_in_flight()},
        {"rounds", report.rounds.size()}}},
      {"objectives", objectives_to_json(report.objectives)},
      {"measurements", measurements_to_json(report.measurements)},
      {"counters",
       {{"faults_planned", plan.faults.size()},
        {"faults_injected", injected},
        {"faults_rolled_back", rolled_back},
        {"rollback_failures", rollback_failures},
        {"service_restarts", report.service_restarts}}},
      {"phases", phases},
      {"faults", faults},
      {"probes", probes},
      {"timeline", timeline},
      {"service_logs", report.service_logs},
  };
  redact_all(record);
  return record;
}

}  // namespace faultline

#include "runner/engine/views.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <map>
#include <mutex>

namespace faultline {
namespace {

std::string event_line(const TimelineEvent& event) {
  std::string stamp = fmt::format("+{:.3f}s", event.t_ms / 1000.0);
  if (event.kind == "phase") return fmt::format("{} phase {}", stamp, event.name);
  return fmt::format("{} {} {}: {}{}", stamp, event.kind, event.name, event.detail,
                     event.ok ? "" : " [!]");
}

// Remembers each probe's last state so that views report changes, not every round.
class ProbeStates {
 public:
  // The samples whose ok-state changed since the previous round.
  std::vector<ProbeSample> changes(const Round& round) {
    std::vector<ProbeSample> changed;
    for (const auto& sample : round.samples) {
      auto [it, inserted] = last_.try_emplace(sample.probe, sample.ok);
      if (inserted || it->second != sample.ok) changed.push_back(sample);
      it->second = sample.ok;
    }
    return changed;
  }

 private:
  std::map<std::string, bool> last_;
};

std::string probe_line(double t_ms, const ProbeSample& sample) {
  return fmt::format("+{:.3f}s probe {} {}: {} ({:.1f} ms)", t_ms / 1000.0, sample.probe,
                     sample.ok ? "ok" : "FAILING", sample.detail, sample.latency_ms);
}

class QuietView final : public DrillObserver {
 public:
  void on_event(const TimelineEvent&) override {}
  void on_round(const Round&) override {}
  void on_finish(const Json&) override {}
};

class LogView final : public DrillObserver {
 public:
  LogView() {
    logger_ = spdlog::stderr_logger_mt("faultline-drill-" +
                                       std::to_string(reinterpret_cast<uintptr_t>(this)));
    logger_->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %v", spdlog::pattern_time_type::utc);
  }
  ~LogView() override { spdlog::drop(logger_->name()); }
  void on_event(const TimelineEvent& event) override { logger_->info(event_line(event)); }
  void on_round(const Round& round) override {
    std::lock_guard lock(mutex_);
    for (const auto& sample : states_.changes(round))
      logger_->info(probe_line(round.ended_ms, sample));
  }
  void on_finish(const Json&) override { logger_->flush(); }

 private:
  std::shared_ptr<spdlog::logger> logger_;
  std::mutex mutex_;
  ProbeStates states_;
};

class JsonView final : public DrillObserver {
 public:
  void on_event(const TimelineEvent& event) override {
    emit(Json{{"t_ms", event.t_ms},
              {"at", utc_iso8601(event.wall)},
              {"kind", event.kind},
              {"name", event.name},
              {"detail", event.detail},
              {"ok", event.ok}});
  }
  void on_round(const Round& round) override {
    std::vector<ProbeSample> changed;
    {
      std::lock_guard lock(mutex_);
      changed = states_.changes(round);
    }
    for (const auto& sample : changed) {
      emit(Json{{"t_ms", round.ended_ms},
                {"at", utc_iso8601(WallClock::now())},
                {"kind", "probe"},
                {"name", sample.probe},
                {"detail", sample.detail},
                {"ok", sample.ok},
                {"latency_ms", sample.latency_ms}});
    }
  }
  void on_finish(const Json& record) override {
    emit(Json{{"kind", "finish"},
              {"id", record["id"]},
              {"verdict", record["verdict"]},
              {"exit_code", record["exit_code"]},
              {"objectives", record["objectives"]},
              {"measurements", record["measurements"]}});
  }

 private:
  void emit(const Json& line) {
    std::lock_guard lock(mutex_);
    std::fprintf(stderr, "%s\n", json_text(line).c_str());
    std::fflush(stderr);
  }
  std::mutex mutex_;
  ProbeStates states_;
};

// Event lines scroll; the bottom line is redrawn with the phase, elapsed time and each
// probe's state.
class TtyView final : public DrillObserver {
 public:
  void on_event(const TimelineEvent& event) override {
    std::lock_guard lock(mutex_);
    if (event.kind == "phase") phase_ = event.name;
    print_line(event_line(event));
  }
  void on_round(const Round& round) override {
    std::lock_guard lock(mutex_);
    for (const auto& sample : states_.changes(round))
      print_line(probe_line(round.ended_ms, sample));
    status_ = fmt::format("\x1b[1m{}\x1b[0m +{:.1f}s ", phase_, round.ended_ms / 1000.0);
    for (const auto& sample : round.samples) {
      status_ += fmt::format(" {} {}\x1b[0m {:.1f}ms", sample.probe,
                             sample.ok ? "\x1b[32mok" : "\x1b[31mFAIL", sample.latency_ms);
    }
    redraw();
  }
  void on_finish(const Json&) override {
    std::lock_guard lock(mutex_);
    std::fprintf(stderr, "\r\x1b[K");
    std::fflush(stderr);
  }

 private:
  void print_line(const std::string& line) {
    std::fprintf(stderr, "\r\x1b[K%s\n", line.c_str());
    redraw();
  }
  void redraw() {
    std::fprintf(stderr, "\r\x1b[K%s", status_.c_str());
    std::fflush(stderr);
  }
  std::mutex mutex_;
  ProbeStates states_;
  std::string phase_ = "preflight";
  std::string status_;
};

}  // namespace

std::unique_ptr<DrillObserver> make_view(const ViewOptions& options) {
  if (options.quiet) return std::make_unique<QuietView>();
  if (options.format == LogFormat::json) return std::make_unique<JsonView>();
  if (options.tty) return std::make_unique<TtyView>();
  return std::make_unique<LogView>();
}

}  // namespace faultline

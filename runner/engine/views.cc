#include "runner/engine/views.h"

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>
#include <variant>

namespace faultline {
namespace {

std::string event_line(const TimelineEvent& event) {
  std::string stamp = fmt::format("+{:.3f}s", event.t_ms / 1000.0);
  if (event.kind == "phase") return fmt::format("{} phase {}", stamp, event.name);
  return fmt::format("{} {} {}: {}{}", stamp, event.kind, event.name, event.detail,
                     event.ok ? "" : " [!]");
}

Json event_json(const TimelineEvent& event) {
  return Json{{"t_ms", std::round(event.t_ms * 1000.0) / 1000.0},
              {"at", utc_iso8601(event.wall)},
              {"kind", event.kind},
              {"name", event.name},
              {"detail", event.detail},
              {"ok", event.ok}};
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
    // Each line is stamped with its event's time, as the record has it, not with the
    // time it was written (the view writes behind the drill, see make_async_observer).
    logger_->set_pattern("%v");
  }
  ~LogView() override { spdlog::drop(logger_->name()); }
  void on_event(const TimelineEvent& event) override {
    logger_->info(utc_iso8601(event.wall) + " " + event_line(event));
  }
  void on_round(const Round&) override {}
  void on_finish(const Json&) override { logger_->flush(); }

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

// One JSON object per line, in time order (t_ms never decreases).
class JsonView final : public DrillObserver {
 public:
  void on_event(const TimelineEvent& event) override { emit(event_json(event)); }
  void on_round(const Round&) override {}
  void on_finish(const Json& record) override {
    emit(Json{{"kind", "finish"},
              {"id", record.value("id", "")},
              {"verdict", record.value("verdict", "")},
              {"exit_code", record.value("exit_code", Json())},
              {"objectives", record.value("objectives", Json::object())},
              {"measurements", record.value("measurements", Json::object())}});
  }

 private:
  void emit(const Json& line) {
    std::fprintf(stderr, "%s\n", json_text(line).c_str());
    std::fflush(stderr);
  }
};

// Event lines scroll; the bottom line is redrawn with the phase, elapsed time and each
// probe's state.
class TtyView final : public DrillObserver {
 public:
  void on_event(const TimelineEvent& event) override {
    if (event.kind == "phase") phase_ = event.name;
    print_line(event_line(event));
  }
  void on_round(const Round& round) override {
    status_ = fmt::format("\x1b[1m{}\x1b[0m +{:.1f}s ", phase_, round.ended_ms / 1000.0);
    for (const auto& sample : round.samples) {
      status_ += fmt::format(" {} {}\x1b[0m {:.1f}ms", sample.probe,
                             sample.ok ? "\x1b[32mok" : "\x1b[31mFAIL", sample.latency_ms);
    }
    redraw();
  }
  void on_finish(const Json&) override {
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
  std::string phase_ = "preflight";
  std::string status_;
};

// The queue and the writer thread share this; if the writer is stuck in a write when
// the observer is destroyed, it keeps the state alive until the process exits.
struct AsyncState {
  using Item = std::variant<TimelineEvent, Round, Json>;
  std::unique_ptr<DrillObserver> inner;
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Item> queue;
  bool closing = false;
  bool busy = false;
  size_t dropped = 0;
};

// Past this many waiting items the view drops what it cannot write, and says so.
constexpr size_t kMaxQueued = 100000;

class AsyncObserver final : public DrillObserver {
 public:
  explicit AsyncObserver(std::unique_ptr<DrillObserver> inner)
      : state_(std::make_shared<AsyncState>()) {
    state_->inner = std::move(inner);
    writer_ = std::thread([state = state_] { write_loop(*state); });
  }
  ~AsyncObserver() override {
    {
      std::unique_lock lock(state_->mutex);
      state_->closing = true;
      state_->changed.notify_all();
      state_->changed.wait_for(lock, std::chrono::seconds(2),
                               [&] { return state_->queue.empty() && !state_->busy; });
    }
    bool drained;
    {
      std::lock_guard lock(state_->mutex);
      drained = state_->queue.empty() && !state_->busy;
    }
    if (drained) {
      writer_.join();
    } else {
      writer_.detach();  // stuck writing to a stderr nobody reads
    }
  }
  void on_event(const TimelineEvent& event) override { push(event); }
  void on_round(const Round& round) override { push(round); }
  void on_finish(const Json& record) override { push(record); }

 private:
  void push(AsyncState::Item item) {
    std::lock_guard lock(state_->mutex);
    if (state_->queue.size() >= kMaxQueued) {
      ++state_->dropped;
      return;
    }
    state_->queue.push_back(std::move(item));
    state_->changed.notify_all();
  }

  static void write_loop(AsyncState& state) {
    std::unique_lock lock(state.mutex);
    while (true) {
      state.changed.wait(lock, [&] { return !state.queue.empty() || state.closing; });
      if (state.queue.empty()) {
        if (state.closing) return;
        continue;
      }
      AsyncState::Item item = std::move(state.queue.front());
      state.queue.pop_front();
      state.busy = true;
      lock.unlock();
      if (auto* event = std::get_if<TimelineEvent>(&item)) state.inner->on_event(*event);
      if (auto* round = std::get_if<Round>(&item)) state.inner->on_round(*round);
      if (auto* record = std::get_if<Json>(&item)) state.inner->on_finish(*record);
      lock.lock();
      state.busy = false;
      state.changed.notify_all();
    }
  }

  std::shared_ptr<AsyncState> state_;
  std::thread writer_;
};

}  // namespace

std::unique_ptr<DrillObserver> make_async_observer(std::unique_ptr<DrillObserver> inner) {
  return std::make_unique<AsyncObserver>(std::move(inner));
}

std::unique_ptr<DrillObserver> make_view(const ViewOptions& options) {
  std::unique_ptr<DrillObserver> view;
  if (options.quiet)
    view = std::make_unique<QuietView>();
  else if (options.format == LogFormat::json)
    view = std::make_unique<JsonView>();
  else if (options.tty)
    view = std::make_unique<TtyView>();
  else
    view = std::make_unique<LogView>();
  return make_async_observer(std::move(view));
}

}  // namespace faultline

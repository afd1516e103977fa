#include "faults/network/proxy/pipe.h"

#include <algorithm>

#include "faults/network/proxy/connection.h"
#include "faults/network/proxy/proxy.h"

namespace faultline::proxy {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;

bool holds_data(ToxicType type) {
  return type == ToxicType::timeout || type == ToxicType::reset_peer;
}

}  // namespace

Pipe::Pipe(Connection& owner, Stream stream, asio::ip::tcp::socket& from, asio::ip::tcp::socket& to)
    : owner_(owner),
      stream_(stream),
      from_(from),
      to_(to),
      gate_timer_(from.get_executor()),
      eof_timer_(from.get_executor()),
      random_(std::random_device{}()) {}

Pipe::ToxicRun Pipe::make_run(const ToxicPtr& spec) {
  ToxicRun run;
  run.spec = spec;
  run.active = spec->toxicity >= 1.0 ||
               std::uniform_real_distribution<double>(0.0, 1.0)(random_) < spec->toxicity;
  return run;
}

// Starts what a toxic does on its own clock: timeout closes the connection after its
// time; reset_peer waits for data first (see dropping()).
void Pipe::arm(ToxicRun& run) {
  if (!run.active || run.spec->type != ToxicType::timeout || run.spec->timeout <= 0) return;
  run.timer = std::make_unique<asio::steady_timer>(from_.get_executor());
  run.timer->expires_after(milliseconds(run.spec->timeout));
  run.timer->async_wait([self = owner_.shared_from_this()](std::error_code error) {
    if (!error) self->close(CloseHow::graceful);
  });
  run.armed = true;
}

void Pipe::start(const std::vector<ToxicPtr>& toxics) {
  set_toxics(toxics);
  maybe_read();
}

void Pipe::set_toxics(const std::vector<ToxicPtr>& toxics) {
  if (stopped_) return;
  std::vector<ToxicRun> next;
  bool released_hold = false;
  for (const auto& spec : toxics) {
    auto same = std::find_if(runs_.begin(), runs_.end(),
                             [&](const ToxicRun& run) { return run.spec->name == spec->name; });
    if (same == runs_.end()) {
      next.push_back(make_run(spec));
      arm(next.back());
      continue;
    }
    ToxicRun run = std::move(*same);
    runs_.erase(same);
    bool redraw = run.spec->toxicity != spec->toxicity;
    bool rearm = run.spec->timeout != spec->timeout;
    run.spec = spec;
    if (redraw) run.active = make_run(spec).active;
    if (redraw || rearm) {
      if (run.timer) run.timer->cancel();
      run.armed = false;
      arm(run);
    }
    next.push_back(std::move(run));
  }
  // What is left was removed. Data a timeout held was dropped, so the stream cannot go
  // on: as Toxiproxy does, removing an active timeout closes the connection.
  for (auto& run : runs_) {
    if (run.timer) run.timer->cancel();
    if (run.active && run.spec->type == ToxicType::timeout) released_hold = true;
  }
  runs_ = std::move(next);
  if (released_hold) {
    owner_.close(CloseHow::graceful);
    return;
  }
  pump();
}

void Pipe::stop() {
  stopped_ = true;
  gate_timer_.cancel();
  eof_timer_.cancel();
  for (auto& run : runs_)
    if (run.timer) run.timer->cancel();
}

// True while a toxic stops this stream's data (it is read and dropped, so the sender is
// not blocked, as with Toxiproxy). reset_peer arms itself on the first data it sees.
bool Pipe::dropping() {
  bool drop = false;
  for (auto& run : runs_) {
    if (!run.active || !holds_data(run.spec->type)) continue;
    drop = true;
    if (run.spec->type == ToxicType::reset_peer && !run.armed && !queue_.empty()) {
      run.armed = true;
      if (run.spec->timeout <= 0) {
        owner_.close(CloseHow::reset);
        return true;
      }
      run.timer = std::make_unique<asio::steady_timer>(from_.get_executor());
      run.timer->expires_after(milliseconds(run.spec->timeout));
      run.timer->async_wait([self = owner_.shared_from_this()](std::error_code error) {
        if (!error) self->close(CloseHow::reset);
      });
    }
  }
  return drop;
}

Pipe::Gate Pipe::gate_for(const Chunk& head, SteadyTime now) {
  Gate gate{head.read_at, head.data.size() - head.offset, false};
  for (auto& run : runs_) {
    if (!run.active) continue;
    const ToxicSpec& spec = *run.spec;
    switch (spec.type) {
      case ToxicType::latency: {
        double delay_ms = double(spec.latency) + double(spec.jitter) * head.jitter;
        auto delay = nanoseconds(int64_t(std::max(0.0, delay_ms) * 1e6));
        gate.at = std::max(gate.at, head.read_at + delay);
        break;
      }
      case ToxicType::bandwidth: {
        if (spec.rate <= 0) break;
        // At most 100 ms worth at a time, as Toxiproxy sends a slow stream.
        gate.size = std::min<size_t>(gate.size, size_t(std::max<int64_t>(1, spec.rate * 100)));
        auto cost = nanoseconds(int64_t(gate.size) * 1'000'000 / spec.rate);
        gate.at = std::max(gate.at, run.next_free) + cost;
        break;
      }
      case ToxicType::slicer: {
        if (spec.average_size <= 0) break;
        if (run.next_slice <= 0) {
          int64_t variation = spec.size_variation;
          int64_t size = spec.average_size;
          if (variation > 0)
            size += std::uniform_int_distribution<int64_t>(-variation, variation)(random_);
          run.next_slice = std::max<int64_t>(1, size);
        }
        gate.size = std::min<size_t>(gate.size, size_t(run.next_slice));
        gate.at = std::max(gate.at, run.next_free);
        break;
      }
      case ToxicType::limit_data: {
        int64_t left = spec.bytes - run.transmitted;
        if (left <= 0) {
          gate.close = true;
          return gate;
        }
        gate.size = std::min<size_t>(gate.size, size_t(left));
        break;
      }
      default:
        break;
    }
  }
  (void)now;
  return gate;
}

void Pipe::start_write(Chunk& head, const Gate& gate, SteadyTime now) {
  for (auto& run : runs_) {
    if (!run.active) continue;
    const ToxicSpec& spec = *run.spec;
    if (spec.type == ToxicType::bandwidth && spec.rate > 0) {
      auto cost = nanoseconds(int64_t(gate.size) * 1'000'000 / spec.rate);
      run.next_free = std::max(run.next_free + cost, gate.at);
    } else if (spec.type == ToxicType::slicer && spec.average_size > 0) {
      run.next_slice = 0;
      run.next_free = now + microseconds(spec.delay);
    } else if (spec.type == ToxicType::limit_data) {
      run.transmitted += int64_t(gate.size);
    }
  }
  writing_ = true;
  asio::async_write(
      to_, asio::buffer(head.data.data() + head.offset, gate.size),
      [this, self = owner_.shared_from_this()](std::error_code error, size_t written) {
        writing_ = false;
        if (stopped_) return;
        if (error) {
          owner_.close(CloseHow::graceful);
          return;
        }
        owner_.proxy().counters().sent[int(stream_)] += written;
        Chunk& done = queue_.front();
        done.offset += written;
        if (done.offset >= done.data.size()) {
          queued_bytes_ -= done.data.size();
          queue_.pop_front();
        }
        for (auto& run : runs_)
          if (run.active && run.spec->type == ToxicType::limit_data &&
              run.transmitted >= run.spec->bytes) {
            owner_.close(CloseHow::graceful);
            return;
          }
        pump();
      });
}

void Pipe::pump() {
  if (stopped_) return;
  while (!writing_ && !queue_.empty()) {
    if (dropping()) {
      if (stopped_) return;
      queue_.clear();
      queued_bytes_ = 0;
      break;
    }
    auto now = std::chrono::steady_clock::now();
    Gate gate = gate_for(queue_.front(), now);
    if (gate.close) {
      owner_.close(CloseHow::graceful);
      return;
    }
    if (gate.at > now) {
      gate_timer_.expires_at(gate.at);
      gate_timer_.async_wait([this, self = owner_.shared_from_this()](std::error_code error) {
        if (!error) pump();
      });
      break;
    }
    start_write(queue_.front(), gate, now);
  }
  if (eof_ && !eof_pending_ && !writing_ && queue_.empty()) forward_eof();
  maybe_read();
}

void Pipe::maybe_read() {
  if (reading_ || eof_ || stopped_ || queued_bytes_ >= kHighWater) return;
  reading_ = true;
  std::vector<char> buffer(read_size_);
  auto target = asio::buffer(buffer);
  from_.async_read_some(target,
                        [this, self = owner_.shared_from_this(), buffer = std::move(buffer)](
                            std::error_code error, size_t bytes) mutable {
                          on_read(error, bytes, std::move(buffer));
                        });
}

void Pipe::on_read(std::error_code error, size_t bytes, std::vector<char> data) {
  reading_ = false;
  if (stopped_) return;
  if (bytes > 0) {
    owner_.proxy().counters().received[int(stream_)] += bytes;
    // A full read asks for a bigger buffer next time, a short one for a smaller:
    // bulk streams get large reads, idle connections hold little memory.
    if (bytes == data.size())
      read_size_ = std::min(kMaxRead, read_size_ * 2);
    else if (bytes < read_size_ / 4)
      read_size_ = std::max(kMinRead, read_size_ / 2);
    data.resize(bytes);
    Chunk chunk;
    chunk.data = std::move(data);
    chunk.read_at = std::chrono::steady_clock::now();
    chunk.jitter = std::uniform_real_distribution<double>(-1.0, 1.0)(random_);
    queued_bytes_ += bytes;
    queue_.push_back(std::move(chunk));
  }
  if (error) {
    if (error != asio::error::eof) {
      owner_.close(CloseHow::graceful);
      return;
    }
    eof_ = true;
  }
  pump();
}

int64_t Pipe::slow_close_delay_ms() const {
  int64_t delay = 0;
  for (const auto& run : runs_)
    if (run.active && run.spec->type == ToxicType::slow_close)
      delay = std::max(delay, run.spec->delay);
  return delay;
}

// Passes the end of stream on (shuts down the write side), after slow_close's delay.
void Pipe::forward_eof() {
  eof_pending_ = true;
  auto finish = [this]() {
    if (stopped_) return;
    std::error_code ignored;
    to_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    eof_forwarded_ = true;
    owner_.pipe_done();
  };
  int64_t delay = slow_close_delay_ms();
  if (delay <= 0) {
    finish();
    return;
  }
  eof_timer_.expires_after(milliseconds(delay));
  eof_timer_.async_wait([finish, self = owner_.shared_from_this()](std::error_code error) {
    if (!error) finish();
  });
}

}  // namespace faultline::proxy

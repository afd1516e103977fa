#include "faults/network/proxy/pipe.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <tuple>

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

Pipe::~Pipe() { kernel_.close(); }

// True when no toxic is in force on this stream: the data need not wait anywhere.
bool Pipe::plain() const {
  return std::none_of(runs_.begin(), runs_.end(), [](const ToxicRun& run) { return run.active; });
}

void Pipe::push_chunk(Chunk chunk) {
  queued_bytes_ += chunk.footprint();
  queue_.push_back(std::move(chunk));
}

void Pipe::pop_chunk() {
  queued_bytes_ -= queue_.front().footprint();
  queue_.pop_front();
}

Pipe::ToxicRun Pipe::make_run(const ToxicPtr& spec) {
  ToxicRun run;
  run.spec = spec;
  // http.fault draws per request instead (see queue_chunk).
  run.active = spec->type == ToxicType::http_fault || spec->toxicity >= 1.0 ||
               std::uniform_real_distribution<double>(0.0, 1.0)(random_) < spec->toxicity;
  return run;
}

// Starts what a toxic does on its own clock: timeout closes the connection after its
// time; reset_peer waits for data first (see dropping()).
void Pipe::arm(ToxicRun& run) {
  if (!run.active || run.spec->type != ToxicType::timeout || run.spec->timeout <= 0) return;
  run.timer = std::make_unique<asio::steady_timer>(from_.get_executor());
  run.timer->expires_after(milliseconds(run.spec->timeout));
  run.timer->async_wait(owner_.bound([self = owner_.shared_from_this()](std::error_code error) {
    if (!error) self->close(CloseHow::graceful);
  }));
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
  if (splicing_ && !plain()) leave_splice();
  pump();
}

void Pipe::stop() {
  stopped_ = true;
  splicing_ = false;
  kernel_.close();
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
      run.timer->async_wait(owner_.bound([self = owner_.shared_from_this()](std::error_code error) {
        if (!error) self->close(CloseHow::reset);
      }));
    }
  }
  return drop;
}

Pipe::Gate Pipe::gate_for(const Chunk& head, SteadyTime now) {
  Gate gate{head.read_at, head.size - head.offset, false};
  if (head.hold_ms > 0 && http_fault())
    gate.at = std::max(gate.at, head.read_at + milliseconds(head.hold_ms));
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
      to_, asio::buffer(head.data.get() + head.offset, gate.size),
      owner_.bound([this, self = owner_.shared_from_this()](std::error_code error, size_t written) {
        writing_ = false;
        if (stopped_) return;
        if (error) {
          owner_.close(CloseHow::graceful);
          return;
        }
        owner_.proxy().counters().sent[int(stream_)] += written;
        Chunk& done = queue_.front();
        done.offset += written;
        if (done.offset >= done.size) {
          bool close_after = done.close_after;
          pop_chunk();
          if (close_after) {
            owner_.close(CloseHow::graceful);
            return;
          }
        }
        for (auto& run : runs_)
          if (run.active && run.spec->type == ToxicType::limit_data &&
              run.transmitted >= run.spec->bytes) {
            owner_.close(CloseHow::graceful);
            return;
          }
        pump();
      }));
}

void Pipe::pump() {
  if (stopped_ || splicing_) return;
  while (!writing_ && !queue_.empty()) {
    if (dropping()) {
      if (stopped_) return;
      queue_.clear();
      queued_bytes_ = 0;
      break;
    }
    auto now = std::chrono::steady_clock::now();
    Gate gate = gate_for(queue_.front(), now);
    if (queue_.front().drop && !gate.close && gate.at <= now) {
      // An aborted request: not forwarded; its last piece sends the answer instead.
      std::string answer = std::move(queue_.front().answer);
      pop_chunk();
      if (!answer.empty()) owner_.answer_client(std::move(answer));
      if (stopped_) return;
      continue;
    }
    if (gate.close) {
      owner_.close(CloseHow::graceful);
      return;
    }
    if (gate.at > now) {
      gate_timer_.expires_at(gate.at);
      gate_timer_.async_wait(
          owner_.bound([this, self = owner_.shared_from_this()](std::error_code error) {
            if (!error) pump();
          }));
      break;
    }
    start_write(queue_.front(), gate, now);
  }
  if (eof_ && !eof_pending_ && !writing_ && queue_.empty()) forward_eof();
  maybe_read();
}

void Pipe::maybe_read() {
  if (reading_ || splicing_ || splice_waiting_ || eof_ || stopped_ || queued_bytes_ >= kHighWater)
    return;
  reading_ = true;
  read_now();
}

// Reads while there is data and room, a bounded number of times (then yields to the
// other connections); waits for readiness only when the socket has nothing. The loop's
// pump() calls cannot re-enter it: maybe_read() does nothing while reading_ is set.
void Pipe::read_now() {
  constexpr int kReadsPerTurn = 16;
  for (int turn = 0; turn < kReadsPerTurn; ++turn) {
    if (stopped_) return;
    if (eof_ || queued_bytes_ >= kHighWater) {
      reading_ = false;
      return;
    }
    if (can_splice()) {
      reading_ = false;
      start_splice();
      return;
    }
    if (drain_first()) {
      reading_ = false;  // pump() reads again once the queue is empty
      return;
    }
    ReadOutcome outcome = read_chunk();
    if (outcome == ReadOutcome::failed) {
      reading_ = false;
      owner_.close(CloseHow::graceful);
      return;
    }
    if (outcome == ReadOutcome::would_block) {
      from_.async_wait(
          asio::socket_base::wait_read,
          owner_.bound([this, self = owner_.shared_from_this()](std::error_code error) {
            if (stopped_) return;
            if (error) {
              reading_ = false;
              owner_.close(CloseHow::graceful);
              return;
            }
            read_now();
          }));
      return;
    }
    pump();
  }
  reading_ = false;
  asio::post(from_.get_executor(),
             owner_.bound([this, self = owner_.shared_from_this()] { maybe_read(); }));
}

// With no toxic in force and nothing queued, reads into a buffer on the stack and writes
// it on at once; otherwise reads into a chunk of the queue.
Pipe::ReadOutcome Pipe::read_chunk() {
  if (plain() && queue_.empty() && !writing_) return read_direct();
  auto data = std::make_unique_for_overwrite<char[]>(read_size_);
  size_t capacity = read_size_;
  std::error_code error;
  size_t bytes = from_.read_some(asio::buffer(data.get(), capacity), error);
  if (error == asio::error::would_block || error == asio::error::try_again)
    return ReadOutcome::would_block;
  if (error == asio::error::interrupted) return ReadOutcome::progressed;
  if (error && error != asio::error::eof) return ReadOutcome::failed;
  if (bytes > 0) {
    owner_.proxy().counters().received[int(stream_)] += bytes;
    // A full read asks for a bigger buffer next time, a short one for a smaller:
    // bulk streams get large reads, small exchanges small ones.
    if (bytes == capacity)
      read_size_ = std::min(kMaxRead, read_size_ * 2);
    else if (bytes < read_size_ / 4)
      read_size_ = std::max(kMinRead, read_size_ / 2);
    // A short read keeps only what it needs: the queue's bound counts memory, and a
    // 4 KiB buffer held for every byte of a trickle would hold back little data.
    if (bytes < capacity / 2) {
      auto exact = std::make_unique_for_overwrite<char[]>(bytes);
      std::memcpy(exact.get(), data.get(), bytes);
      data = std::move(exact);
      capacity = bytes;
    }
    queue_chunk(std::move(data), bytes, capacity, std::chrono::steady_clock::now());
  }
  if (error == asio::error::eof) eof_ = true;
  return ReadOutcome::progressed;
}

Pipe::ReadOutcome Pipe::read_direct() {
  char buffer[kDirectRead];
  std::error_code error;
  size_t bytes = from_.read_some(asio::buffer(buffer), error);
  if (error == asio::error::would_block || error == asio::error::try_again)
    return ReadOutcome::would_block;
  if (error == asio::error::interrupted) return ReadOutcome::progressed;
  if (error && error != asio::error::eof) return ReadOutcome::failed;
  if (bytes > 0) {
    auto& counters = owner_.proxy().counters();
    counters.received[int(stream_)] += bytes;
    if (bytes == sizeof buffer) bulk_ = true;
    std::error_code write_error;
    size_t written = 0;
    do {
      written += to_.write_some(asio::buffer(buffer + written, bytes - written), write_error);
    } while (written < bytes && write_error == asio::error::interrupted);
    if (write_error && write_error != asio::error::would_block &&
        write_error != asio::error::try_again && write_error != asio::error::interrupted)
      return ReadOutcome::failed;
    counters.sent[int(stream_)] += written;
    // What the other socket would not take now waits in the queue (pump() writes it
    // when it can): nothing is lost, and the queue's bound applies.
    if (written < bytes) {
      size_t rest = bytes - written;
      auto data = std::make_unique_for_overwrite<char[]>(rest);
      std::memcpy(data.get(), buffer + written, rest);
      queue_chunk(std::move(data), rest, rest, std::chrono::steady_clock::now());
    }
  }
  if (error == asio::error::eof) eof_ = true;
  return ReadOutcome::progressed;
}

const ToxicSpec* Pipe::http_fault() const {
  for (const auto& run : runs_)
    if (run.active && run.spec->type == ToxicType::http_fault) return run.spec.get();
  return nullptr;
}

namespace {

const char* reason_phrase(int64_t status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 408:
      return "Request Timeout";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Fault Injected";
  }
}

}  // namespace

// With http.fault in force, a read is cut at request boundaries, and each request is
// drawn against the toxicity: a chosen one is held `delay` ms and/or answered with
// `status` instead of being forwarded (Envoy's fault filter, per request).
void Pipe::queue_chunk(std::unique_ptr<char[]> data, size_t size, size_t capacity,
                       SteadyTime read_at) {
  double jitter = std::uniform_real_distribution<double>(-1.0, 1.0)(random_);
  const ToxicSpec* fault = http_fault();
  if (fault && !http_) http_ = std::make_unique<HttpRequestSplitter>();
  auto push = [&](std::unique_ptr<char[]> piece, size_t piece_size, size_t piece_capacity,
                  bool starts, bool ends) {
    Chunk chunk;
    if (answered_) {
      chunk.drop = true;
      starts = ends = false;
    } else if (fault && starts) {
      request_ = RequestFault{};
      bool chosen = fault->toxicity >= 1.0 ||
                    std::uniform_real_distribution<double>(0.0, 1.0)(random_) < fault->toxicity;
      if (chosen) {
        request_.hold_ms = fault->delay;
        request_.abort = fault->status != 0;
        if (request_.abort) {
          std::string body = fault->body.empty() ? "fault injected by faultline\n" : fault->body;
          request_.answer = fmt::format(
              "HTTP/1.1 {} {}\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n"
              "connection: close\r\n\r\n{}",
              fault->status, reason_phrase(fault->status), body.size(), body);
        }
      }
    }
    chunk.hold_ms = request_.hold_ms;
    chunk.drop = chunk.drop || request_.abort;
    if (ends && request_.abort) {
      chunk.answer = request_.answer;
      answered_ = true;
    }
    if (ends) request_ = RequestFault{};
    chunk.data = std::move(piece);
    chunk.size = piece_size;
    chunk.capacity = piece_capacity;
    chunk.read_at = read_at;
    chunk.jitter = jitter;
    push_chunk(std::move(chunk));
  };
  if (!fault || !http_ || http_->broken()) {
    push(std::move(data), size, capacity, false, false);
    return;
  }
  std::vector<std::tuple<size_t, bool, bool>> pieces;
  http_->split(data.get(), size, [&](size_t length, bool starts, bool ends) {
    pieces.emplace_back(length, starts, ends);
  });
  auto copy = [&](size_t offset, size_t length) {
    auto piece = std::make_unique_for_overwrite<char[]>(length);
    std::memcpy(piece.get(), data.get() + offset, length);
    return piece;
  };
  size_t offset = 0;
  for (auto [length, starts, ends] : pieces) {
    push(copy(offset, length), length, length, starts, ends);
    offset += length;
  }
  if (offset < size) push(copy(offset, size - offset), size - offset, size - offset, false, false);
}

void Pipe::inject(std::string data, bool close_after) {
  if (stopped_) return;
  leave_splice();  // what the kernel pipe holds goes first
  Chunk chunk;
  chunk.data = std::make_unique_for_overwrite<char[]>(data.size());
  std::memcpy(chunk.data.get(), data.data(), data.size());
  chunk.size = chunk.capacity = data.size();
  chunk.read_at = std::chrono::steady_clock::now();
  chunk.close_after = close_after;
  push_chunk(std::move(chunk));
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
  eof_timer_.async_wait(
      owner_.bound([finish, self = owner_.shared_from_this()](std::error_code error) {
        if (!error) finish();
      }));
}

}  // namespace faultline::proxy

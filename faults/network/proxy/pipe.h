#pragma once
// One direction of a proxied connection: reads from one socket, holds what it read in a
// bounded queue, and writes it to the other socket when the toxics on this stream let it.
//
// Each chunk keeps the instant it was read, and when it may be written is worked out
// from that instant and the toxics in force at the moment the chunk reaches the head of
// the queue. So delays are measured from the read (they never pile up), and a toxic
// added, changed or removed takes effect on data already held: removing latency
// releases what it held at once. Reading stops while the queue holds kHighWater bytes
// (backpressure: a slow reader slows the writer down, memory stays bounded).
//
// Runs on the event loop only. The owning Connection keeps the pipe alive while any of
// its handlers is pending (each captures the connection's shared_ptr).
#include <asio.hpp>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "faults/network/proxy/http_requests.h"
#include "faults/network/proxy/toxic_spec.h"

namespace faultline::proxy {

class Connection;
using SteadyTime = std::chrono::steady_clock::time_point;

class Pipe {
 public:
  static constexpr size_t kHighWater = 512 * 1024;
  static constexpr size_t kMinRead = 4 * 1024;
  static constexpr size_t kMaxRead = 256 * 1024;

  Pipe(Connection& owner, Stream stream, asio::ip::tcp::socket& from, asio::ip::tcp::socket& to);
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  // Begins reading, with these toxics in force.
  void start(const std::vector<ToxicPtr>& toxics);
  // Brings the toxics in force up to date (same order as given); live data follows.
  void set_toxics(const std::vector<ToxicPtr>& toxics);
  // Cancels the pipe's timers (the connection closes the sockets).
  void stop();
  // Queues bytes of our own to write (an http.fault answer), then closes the connection
  // once they are written when `close_after`.
  void inject(std::string data, bool close_after);
  // True once the end of stream was passed on (the peer's write side shut down).
  bool done() const { return eof_forwarded_; }

 private:
  struct Chunk {
    std::vector<char> data;
    size_t offset = 0;
    SteadyTime read_at;
    double jitter = 0;  // in [-1, 1): this chunk's share of a latency toxic's jitter
    // http.fault, per request: held that long after the read; dropped (not forwarded),
    // and on the request's last piece the answer to give the client instead.
    int64_t hold_ms = 0;
    bool drop = false;
    std::string answer;
    bool close_after = false;  // an injected answer: close once it is written
  };
  // What http.fault decided for the request being read.
  struct RequestFault {
    int64_t hold_ms = 0;
    bool abort = false;
    std::string answer;
  };
  // A toxic as it runs on this pipe.
  struct ToxicRun {
    ToxicPtr spec;
    bool active = false;  // drawn once against the toxicity, as Toxiproxy does
    SteadyTime next_free{};
    int64_t next_slice = 0;
    int64_t transmitted = 0;
    bool armed = false;
    std::unique_ptr<asio::steady_timer> timer;
  };
  struct Gate {
    SteadyTime at;
    size_t size = 0;
    bool close = false;
  };

  enum class ReadOutcome { progressed, would_block, failed };

  ToxicRun make_run(const ToxicPtr& spec);
  void arm(ToxicRun& run);
  void pump();
  void maybe_read();
  void read_now();
  ReadOutcome read_chunk();
  void queue_chunk(std::vector<char> data, SteadyTime read_at);
  const ToxicSpec* http_fault() const;
  bool dropping();
  Gate gate_for(const Chunk& head, SteadyTime now);
  void start_write(Chunk& head, const Gate& gate, SteadyTime now);
  void forward_eof();
  int64_t slow_close_delay_ms() const;

  Connection& owner_;
  Stream stream_;
  asio::ip::tcp::socket& from_;
  asio::ip::tcp::socket& to_;
  asio::steady_timer gate_timer_;
  asio::steady_timer eof_timer_;
  std::vector<ToxicRun> runs_;
  std::deque<Chunk> queue_;
  size_t queued_bytes_ = 0;
  size_t read_size_ = kMinRead;
  bool reading_ = false;
  bool writing_ = false;
  bool eof_ = false;
  bool eof_pending_ = false;
  bool eof_forwarded_ = false;
  bool stopped_ = false;
  std::minstd_rand random_;
  std::unique_ptr<HttpRequestSplitter> http_;
  RequestFault request_;
};

}  // namespace faultline::proxy

#pragma once
// One direction of a proxied connection: reads from one socket, holds what it read in a
// bounded queue, and writes it to the other socket when the toxics on this stream let it.
//
// Each chunk keeps the instant it was read, and when it may be written is worked out
// from that instant and the toxics in force at the moment the chunk reaches the head of
// the queue. So delays are measured from the read (they never pile up), and a toxic
// added, changed or removed takes effect on data already held: removing latency
// releases what it held at once. Reading stops while the queue's memory (the chunks'
// buffers and their bookkeeping, not only the bytes) reaches kHighWater (backpressure: a
// slow reader slows the writer down, memory stays bounded even for one-byte chunks).
//
// With no toxic in force the pipe gets out of the way: what it reads it writes at once
// from the same (stack) buffer, and queues only what the other socket would not take.
// Once a stream shows it is bulk (a read fills kDirectRead), it moves the data with
// splice(2) through a kernel pipe of its own (kSplicePipe bytes), never copying it
// (pipe_splice.cc). A toxic added to the live connection, or an http.fault answer, takes
// the pipe back to the queue at once: what the kernel pipe holds is read back into the
// queue first, as read when it was spliced in, so order and toxics hold.
//
// Runs on the event loop only. The owning Connection keeps the pipe alive while any of
// its handlers is pending (each captures the connection's shared_ptr).
#include <asio.hpp>
#include <cstdint>
#include <list>
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
  static constexpr size_t kDirectRead = 64 * 1024;
  static constexpr int kSplicePipe = 256 * 1024;

  Pipe(Connection& owner, Stream stream, asio::ip::tcp::socket& from, asio::ip::tcp::socket& to);
  ~Pipe();
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;

  // Begins reading, with these toxics in force.
  void start(const std::vector<ToxicPtr>& toxics);
  // Brings the toxics in force up to date (same order as given); live data follows.
  void set_toxics(const std::vector<ToxicPtr>& toxics);
  // Cancels the pipe's timers and closes its kernel pipe (the connection closes the
  // sockets).
  void stop();
  // Queues bytes of our own to write (an http.fault answer), then closes the connection
  // once they are written when `close_after`.
  void inject(std::string data, bool close_after);
  // True once the end of stream was passed on (the peer's write side shut down).
  bool done() const { return eof_forwarded_; }

 private:
  struct Chunk {
    std::unique_ptr<char[]> data;
    size_t size = 0;      // bytes of data
    size_t capacity = 0;  // bytes allocated for it
    size_t offset = 0;    // bytes of it written
    SteadyTime read_at;
    double jitter = 0;  // in [-1, 1): this chunk's share of a latency toxic's jitter
    // http.fault, per request: held that long after the read; dropped (not forwarded),
    // and on the request's last piece the answer to give the client instead.
    int64_t hold_ms = 0;
    bool drop = false;
    std::string answer;
    bool close_after = false;  // an injected answer: close once it is written
    // What holding it costs: its buffer, itself, and its list node.
    size_t footprint() const { return capacity + sizeof(Chunk) + 2 * sizeof(void*); }
  };
  // The kernel pipe data is spliced through: its two ends and what it holds.
  struct KernelPipe {
    int read_end = -1;
    int write_end = -1;
    size_t held = 0;
    size_t capacity = 0;
    bool open();
    void close();
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
  ReadOutcome read_direct();
  void queue_chunk(std::unique_ptr<char[]> data, size_t size, size_t capacity, SteadyTime read_at);
  void push_chunk(Chunk chunk);
  void pop_chunk();
  bool plain() const;
  // The splice(2) path (pipe_splice.cc).
  bool can_splice() const;
  bool drain_first() const;
  void start_splice();
  void splice_pump();
  void splice_wait(asio::ip::tcp::socket& socket, asio::socket_base::wait_type type);
  void leave_splice();
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
  std::list<Chunk> queue_;  // a list: an idle pipe holds no allocation
  size_t queued_bytes_ = 0;
  size_t read_size_ = kMinRead;
  bool reading_ = false;
  bool writing_ = false;
  bool eof_ = false;
  bool eof_pending_ = false;
  bool eof_forwarded_ = false;
  bool stopped_ = false;
  bool bulk_ = false;            // a read filled kDirectRead: worth splicing
  bool splicing_ = false;        // splice_pump() moves this stream's data
  bool splice_waiting_ = false;  // a wait of the splice path is pending
  bool splice_failed_ = false;   // splice(2) refused these sockets: never again
  KernelPipe kernel_;
  SteadyTime spliced_at_{};  // when the kernel pipe's data was spliced in
  std::minstd_rand random_;
  std::unique_ptr<HttpRequestSplitter> http_;
  RequestFault request_;
  // An http.fault answer was queued: the connection closes once it is written, so
  // nothing the client sent after the aborted request may reach the upstream (a client
  // told `connection: close` retries those requests, which would run them twice).
  bool answered_ = false;
};

}  // namespace faultline::proxy

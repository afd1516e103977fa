#pragma once
// Plain-socket loopback peers for the proxy's tests and benchmark: an upstream server
// and a client with deadlines. Written with POSIX sockets only, so they share no code
// with the proxy they measure.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "runner/core/duration.h"

namespace faultline::testing {

// A TCP server on `host` (127.0.0.1 or ::1), port chosen by the kernel, served by one
// poll() thread (so it holds thousands of idle connections cheaply).
//   echo: writes back what it reads.
//   sink: reads to end of stream, then writes one byte "K" and closes (a transfer's
//         end as the receiver saw it).
class LoopbackServer {
 public:
  enum class Mode { echo, sink };
  explicit LoopbackServer(Mode mode, const std::string& host = "127.0.0.1");
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  int port() const { return port_; }
  std::string address() const;  // "127.0.0.1:PORT" or "[::1]:PORT"
  int accepted() const { return accepted_.load(); }
  int open_connections() const { return open_.load(); }
  uint64_t bytes_received() const { return received_.load(); }

 private:
  void serve();

  Mode mode_;
  std::string host_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  int port_ = 0;
  std::atomic<int> accepted_{0};
  std::atomic<int> open_{0};
  std::atomic<uint64_t> received_{0};
  std::thread thread_;
};

// How a connection ended, as the client saw it.
enum class PeerEnd { closed, reset, still_open };

class LoopbackClient {
 public:
  // Connects (blocking, up to `timeout`); check connected().
  LoopbackClient(const std::string& host, int port, Millis timeout = Millis(2000));
  ~LoopbackClient();
  LoopbackClient(LoopbackClient&& other) noexcept;
  LoopbackClient(const LoopbackClient&) = delete;
  LoopbackClient& operator=(const LoopbackClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  bool send_all(const std::string& data);
  bool send_all(const char* data, size_t size);
  // Exactly `size` bytes, or nullopt when the stream ended, failed or timed out.
  std::optional<std::string> receive(size_t size, Millis timeout);
  void shutdown_write();
  // Waits for the peer to close (reads and drops any data meanwhile).
  PeerEnd wait_end(Millis timeout);

 private:
  int fd_ = -1;
};

}  // namespace faultline::testing

// The pipe's splice(2) path: with no toxic in force, a bulk stream moves from socket to
// kernel pipe to socket without the data ever being copied into (or out of) the proxy.
// On loopback and most NICs the kernel hands the received pages on as they are.
//
// The kernel pipe is filled only when it is empty and then emptied into the other
// socket, so it holds at most its capacity (kSplicePipe; 64 KiB when the kernel refuses
// the larger size): the same backpressure as the queue, since a full destination stops
// the reading. A pending wait of this path that fires after the pipe went back to the
// queue (a toxic arrived meanwhile) hands over to the queue's path (splice_wait()).
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "faults/network/proxy/connection.h"
#include "faults/network/proxy/pipe.h"
#include "faults/network/proxy/proxy.h"

namespace faultline::proxy {

bool Pipe::KernelPipe::open() {
  if (read_end >= 0) return true;
  int ends[2];
  if (pipe2(ends, O_NONBLOCK | O_CLOEXEC) != 0) return false;
  read_end = ends[0];
  write_end = ends[1];
  held = 0;
  int size = fcntl(write_end, F_SETPIPE_SZ, kSplicePipe);
  if (size < 0) size = fcntl(write_end, F_GETPIPE_SZ);
  capacity = size > 0 ? size_t(size) : 64 * 1024;
  return true;
}

void Pipe::KernelPipe::close() {
  if (read_end >= 0) ::close(read_end);
  if (write_end >= 0) ::close(write_end);
  read_end = write_end = -1;
  held = 0;
}

// Only once the stream has shown it is bulk: a kernel pipe costs two descriptors, and a
// small exchange gains nothing from it.
bool Pipe::can_splice() const {
  return bulk_ && !splice_failed_ && !stopped_ && !eof_ && !writing_ && queue_.empty() && plain();
}

// A bulk stream whose toxics were removed while the queue held data: reading more into
// the queue would keep it from ever emptying, so it drains first and then splices.
bool Pipe::drain_first() const {
  return bulk_ && !splice_failed_ && plain() && (writing_ || !queue_.empty());
}

void Pipe::start_splice() {
  if (!kernel_.open()) {
    // Out of descriptors or pipes: the queue's path still works.
    splice_failed_ = true;
    maybe_read();
    return;
  }
  splicing_ = true;
  splice_pump();
}

void Pipe::splice_wait(asio::ip::tcp::socket& socket, asio::socket_base::wait_type type) {
  splice_waiting_ = true;
  socket.async_wait(type,
                    owner_.bound([this, self = owner_.shared_from_this()](std::error_code error) {
                      splice_waiting_ = false;
                      if (stopped_) return;
                      if (error) {
                        owner_.close(CloseHow::graceful);
                        return;
                      }
                      if (splicing_) {
                        splice_pump();
                        return;
                      }
                      // The pipe went back to the queue while this wait was pending.
                      pump();
                      maybe_read();
                    }));
}

void Pipe::splice_pump() {
  constexpr int kStepsPerTurn = 32;
  auto& counters = owner_.proxy().counters();
  int from = from_.native_handle(), to = to_.native_handle();
  for (int step = 0; step < kStepsPerTurn; ++step) {
    if (!splicing_ || stopped_) return;
    if (kernel_.held > 0) {
      ssize_t moved = ::splice(kernel_.read_end, nullptr, to, nullptr, kernel_.held,
                               SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (moved > 0) {
        kernel_.held -= size_t(moved);
        counters.sent[int(stream_)] += uint64_t(moved);
        counters.spliced[int(stream_)] += uint64_t(moved);
        continue;
      }
      if (moved < 0 && errno == EINTR) continue;
      if (moved < 0 && errno == EAGAIN) {
        splice_wait(to_, asio::socket_base::wait_write);
        return;
      }
      owner_.close(CloseHow::graceful);  // the destination is gone
      return;
    }
    ssize_t moved = ::splice(from, nullptr, kernel_.write_end, nullptr, kernel_.capacity,
                             SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (moved > 0) {
      kernel_.held = size_t(moved);
      spliced_at_ = std::chrono::steady_clock::now();
      counters.received[int(stream_)] += uint64_t(moved);
      continue;
    }
    if (moved < 0 && errno == EINTR) continue;
    if (moved < 0 && errno == EAGAIN) {
      splice_wait(from_, asio::socket_base::wait_read);
      return;
    }
    if (moved < 0 && (errno == EINVAL || errno == ENOSYS)) {
      // These sockets cannot be spliced: the queue's path carries on.
      splice_failed_ = true;
      leave_splice();
      maybe_read();
      return;
    }
    if (moved < 0) {
      owner_.close(CloseHow::graceful);  // the source failed (reset)
      return;
    }
    // End of stream, the kernel pipe empty: the queue's path passes it on.
    eof_ = true;
    leave_splice();
    pump();
    return;
  }
  asio::post(from_.get_executor(),
             owner_.bound([this, self = owner_.shared_from_this()] { splice_pump(); }));
}

// Back to the queue: what the kernel pipe holds becomes its first chunk, as read when it
// was spliced in (so a latency toxic delays it from then).
void Pipe::leave_splice() {
  if (!splicing_) return;
  splicing_ = false;
  if (kernel_.held > 0) {
    size_t size = kernel_.held;
    auto data = std::make_unique_for_overwrite<char[]>(size);
    size_t got = 0;
    while (got < size) {
      ssize_t bytes = ::read(kernel_.read_end, data.get() + got, size - got);
      if (bytes < 0 && errno == EINTR) continue;
      if (bytes <= 0) break;
      got += size_t(bytes);
    }
    if (got > 0) queue_chunk(std::move(data), got, size, spliced_at_);
  }
  kernel_.close();
}

}  // namespace faultline::proxy

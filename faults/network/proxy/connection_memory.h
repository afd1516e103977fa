#pragma once
// Where the proxies' connections keep their memory: the Connection objects (with their
// pipes and timers), their pending asio operations, and the proxies' sets of them. It is
// kept apart from the shared heap, on pages of its own, so that when the last connection
// has gone those pages go back to the system at once.
//
// Why apart: asio keeps each socket's reactor state (168 bytes) in a pool for the next
// socket, for the life of the event loop. On the shared heap those states sat among the
// connections' objects on nearly every page, so once 1,000 idle connections had closed
// neither free() nor malloc_trim() could return a page: 2.8 MB stayed resident, 0.34 MB
// of it in use. Apart, the reactor states pack onto their own few pages.
//
// Not synchronized: used on the event loop's thread, and after the loop has stopped
// (when io_context's destructor destroys pending handlers). Must outlive the io_context.
#include <cstddef>
#include <memory_resource>

namespace faultline::proxy {

class ConnectionMemory final : public std::pmr::memory_resource {
 public:
  // What stays mapped once no connection is left: a proxy serving one connection at a
  // time does not map and unmap pages for each of them.
  static constexpr size_t kKept = 256 * 1024;

  ConnectionMemory();
  ~ConnectionMemory() override;
  ConnectionMemory(const ConnectionMemory&) = delete;
  ConnectionMemory& operator=(const ConnectionMemory&) = delete;

  // Bytes mapped from the system now, and allocations not yet given back.
  size_t mapped() const { return pages_.mapped(); }
  size_t allocations() const { return live_; }

 private:
  // The pool's upstream: whole pages straight from mmap, unmapped when the pool lets go.
  class Pages final : public std::pmr::memory_resource {
   public:
    size_t mapped() const { return mapped_; }

   private:
    void* do_allocate(size_t bytes, size_t alignment) override;
    void do_deallocate(void* pointer, size_t bytes, size_t alignment) override;
    bool do_is_equal(const memory_resource& other) const noexcept override {
      return this == &other;
    }
    size_t mapped_ = 0;
  };

  void* do_allocate(size_t bytes, size_t alignment) override;
  void do_deallocate(void* pointer, size_t bytes, size_t alignment) override;
  bool do_is_equal(const memory_resource& other) const noexcept override { return this == &other; }

  Pages pages_;
  std::pmr::unsynchronized_pool_resource pool_;
  size_t live_ = 0;
};

}  // namespace faultline::proxy

#include "faults/network/proxy/connection_memory.h"

#include <sys/mman.h>
#include <unistd.h>

#include <new>

namespace faultline::proxy {
namespace {

size_t whole_pages(size_t bytes) {
  static const size_t page = size_t(sysconf(_SC_PAGESIZE));
  return (bytes + page - 1) / page * page;
}

}  // namespace

void* ConnectionMemory::Pages::do_allocate(size_t bytes, size_t alignment) {
  if (alignment > size_t(sysconf(_SC_PAGESIZE))) throw std::bad_alloc();
  void* pages =
      mmap(nullptr, whole_pages(bytes), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (pages == MAP_FAILED) throw std::bad_alloc();
  mapped_ += whole_pages(bytes);
  return pages;
}

void ConnectionMemory::Pages::do_deallocate(void* pointer, size_t bytes, size_t) {
  munmap(pointer, whole_pages(bytes));
  mapped_ -= whole_pages(bytes);
}

ConnectionMemory::ConnectionMemory() : pool_(&pages_) {}

ConnectionMemory::~ConnectionMemory() = default;

void* ConnectionMemory::do_allocate(size_t bytes, size_t alignment) {
  void* pointer = pool_.allocate(bytes, alignment);
  ++live_;
  return pointer;
}

void ConnectionMemory::do_deallocate(void* pointer, size_t bytes, size_t alignment) {
  pool_.deallocate(pointer, bytes, alignment);
  // The pool keeps freed blocks for reuse and never unmaps a page on its own: once
  // nothing in it is in use, let it all go (unless it is small).
  if (--live_ == 0 && pages_.mapped() > kKept) pool_.release();
}

}  // namespace faultline::proxy

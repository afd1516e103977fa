#include "tests/support/loopback.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>
#include <stdexcept>

namespace faultline::testing {
namespace {

bool is_v6(const std::string& host) { return host.find(':') != std::string::npos; }

// A loopback socket address for host:port.
socklen_t make_address(const std::string& host, int port, sockaddr_storage& storage) {
  std::memset(&storage, 0, sizeof storage);
  if (is_v6(host)) {
    auto* address = reinterpret_cast<sockaddr_in6*>(&storage);
    address->sin6_family = AF_INET6;
    address->sin6_port = htons(uint16_t(port));
    inet_pton(AF_INET6, host.c_str(), &address->sin6_addr);
    return sizeof(sockaddr_in6);
  }
  auto* address = reinterpret_cast<sockaddr_in*>(&storage);
  address->sin_family = AF_INET;
  address->sin_port = htons(uint16_t(port));
  inet_pton(AF_INET, host.c_str(), &address->sin_addr);
  return sizeof(sockaddr_in);
}

int64_t remaining_ms(std::chrono::steady_clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return std::max<int64_t>(0, left.count());
}

}  // namespace

LoopbackServer::LoopbackServer(Mode mode, const std::string& host) : mode_(mode), host_(host) {
  listen_fd_ = socket(is_v6(host) ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_storage storage;
  socklen_t length = make_address(host, 0, storage);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&storage), length) != 0 ||
      listen(listen_fd_, 4096) != 0)
    throw std::runtime_error(std::string("loopback server: ") + std::strerror(errno));
  length = sizeof storage;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&storage), &length);
  port_ = ntohs(is_v6(host) ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port
                            : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
  if (pipe2(wake_, O_CLOEXEC) != 0) throw std::runtime_error("loopback server: pipe");
  thread_ = std::thread([this] { serve(); });
}

LoopbackServer::~LoopbackServer() {
  char byte = 0;
  (void)!write(wake_[1], &byte, 1);
  thread_.join();
  close(listen_fd_);
  close(wake_[0]);
  close(wake_[1]);
}

std::string LoopbackServer::address() const {
  return is_v6(host_) ? "[" + host_ + "]:" + std::to_string(port_)
                      : host_ + ":" + std::to_string(port_);
}

void LoopbackServer::serve() {
  std::vector<int> clients;
  std::vector<char> buffer(256 * 1024);
  for (;;) {
    std::vector<pollfd> fds;
    fds.push_back({wake_[0], POLLIN, 0});
    fds.push_back({listen_fd_, POLLIN, 0});
    for (int fd : clients) fds.push_back({fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[0].revents) break;
    if (fds[1].revents & POLLIN) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        clients.push_back(fd);
        ++accepted_;
        ++open_;
      }
    }
    std::vector<int> closing;
    for (size_t i = 2; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      int fd = fds[i].fd;
      ssize_t got = read(fd, buffer.data(), buffer.size());
      if (got > 0) {
        received_ += uint64_t(got);
        if (mode_ == Mode::echo) {
          ssize_t done = 0;
          while (done < got) {
            ssize_t wrote = send(fd, buffer.data() + done, size_t(got - done), MSG_NOSIGNAL);
            if (wrote <= 0) break;
            done += wrote;
          }
        }
        continue;
      }
      if (got == 0 && mode_ == Mode::sink) (void)!send(fd, "K", 1, MSG_NOSIGNAL);
      closing.push_back(fd);
    }
    for (int fd : closing) {
      close(fd);
      std::erase(clients, fd);
      --open_;
    }
  }
  for (int fd : clients) close(fd);
}

LoopbackClient::LoopbackClient(const std::string& host, int port, Millis timeout) {
  int fd = socket(is_v6(host) ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  sockaddr_storage storage;
  socklen_t length = make_address(host, port, storage);
  int rc = connect(fd, reinterpret_cast<sockaddr*>(&storage), length);
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd one{fd, POLLOUT, 0};
    int error = 0;
    socklen_t size = sizeof error;
    if (poll(&one, 1, int(timeout.count())) == 1 &&
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error == 0)
      rc = 0;
  }
  if (rc != 0) {
    close(fd);
    return;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fd_ = fd;
}

LoopbackClient::~LoopbackClient() {
  if (fd_ >= 0) close(fd_);
}

LoopbackClient::LoopbackClient(LoopbackClient&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

bool LoopbackClient::send_all(const std::string& data) {
  return send_all(data.data(), data.size());
}

bool LoopbackClient::send_all(const char* data, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t wrote = send(fd_, data + done, size - done, MSG_NOSIGNAL);
    if (wrote <= 0) {
      if (wrote < 0 && errno == EINTR) continue;
      return false;
    }
    done += size_t(wrote);
  }
  return true;
}

std::optional<std::string> LoopbackClient::receive(size_t size, Millis timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out;
  out.resize(size);
  size_t done = 0;
  while (done < size) {
    pollfd one{fd_, POLLIN, 0};
    if (poll(&one, 1, int(remaining_ms(deadline))) != 1) return std::nullopt;
    ssize_t got = recv(fd_, out.data() + done, size - done, 0);
    if (got <= 0) return std::nullopt;
    done += size_t(got);
  }
  return out;
}

void LoopbackClient::shutdown_write() { shutdown(fd_, SHUT_WR); }

PeerEnd LoopbackClient::wait_end(Millis timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  for (;;) {
    pollfd one{fd_, POLLIN, 0};
    if (poll(&one, 1, int(remaining_ms(deadline))) != 1) return PeerEnd::still_open;
    ssize_t got = recv(fd_, buffer, sizeof buffer, 0);
    if (got == 0) return PeerEnd::closed;
    if (got < 0) return errno == ECONNRESET ? PeerEnd::reset : PeerEnd::closed;
  }
}

}  // namespace faultline::testing

#include "runner/os/net.h"

#include <dirent.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <sstream>

#include "runner/os/files.h"
#include "runner/os/process.h"

namespace faultline {
namespace {

// Inodes of sockets in LISTEN state (st 0A) on `port`, from a /proc/net/tcp table.
void listening_inodes(const std::string& table, int port, std::set<std::string>& inodes) {
  auto text = read_file(table);
  if (!text.ok()) return;
  std::istringstream lines(*text);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
    if (!(fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >>
          timeout >> inode)) {
      continue;
    }
    size_t colon = local.rfind(':');
    if (state != "0A" || colon == std::string::npos) continue;
    if (std::strtol(local.c_str() + colon + 1, nullptr, 16) == port) inodes.insert(inode);
  }
}

std::optional<pid_t> owner_of_socket(const std::set<std::string>& inodes) {
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return std::nullopt;
  std::optional<pid_t> owner;
  while (!owner) {
    dirent* entry = ::readdir(proc);
    if (entry == nullptr) break;
    std::string base = entry->d_name;
    if (base.empty() || !std::all_of(base.begin(), base.end(), ::isdigit)) continue;
    std::string fd_dir = "/proc/" + base + "/fd";
    DIR* fds = ::opendir(fd_dir.c_str());
    if (fds == nullptr) continue;
    while (dirent* fd = ::readdir(fds)) {
      char target[128];
      std::string link = fd_dir + "/" + fd->d_name;
      ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
      if (n <= 0) continue;
      std::string text(target, static_cast<size_t>(n));
      if (text.rfind("socket:[", 0) != 0) continue;
      if (inodes.count(text.substr(8, text.size() - 9))) {
        owner = static_cast<pid_t>(std::strtol(base.c_str(), nullptr, 10));
        break;
      }
    }
    ::closedir(fds);
  }
  ::closedir(proc);
  return owner;
}

}  // namespace

Status tcp_connect(const std::string& host, int port, Millis timeout) {
  MonoTime started = MonoClock::now();
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* addresses = nullptr;
  std::string service = std::to_string(port);
  int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &addresses);
  if (rc != 0) return Error{"cannot resolve " + host + ": " + gai_strerror(rc)};
  std::string last_error = "no address";
  for (addrinfo* address = addresses; address != nullptr; address = address->ai_next) {
    int fd = socket(address->ai_family, address->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    bool connected = ::connect(fd, address->ai_addr, address->ai_addrlen) == 0;
    if (!connected && errno == EINPROGRESS) {
      auto left = std::chrono::duration_cast<Millis>(started + timeout - MonoClock::now());
      pollfd wait{fd, POLLOUT, 0};
      if (left.count() > 0 && poll(&wait, 1, static_cast<int>(left.count())) == 1) {
        int error = 0;
        socklen_t size = sizeof error;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
        connected = error == 0;
        if (!connected) last_error = strerror(error);
      } else {
        last_error = "timed out after " + format_duration(timeout);
      }
    } else if (!connected) {
      last_error = strerror(errno);
    }
    close(fd);
    if (connected) {
      freeaddrinfo(addresses);
      return {};
    }
  }
  freeaddrinfo(addresses);
  return Error{"connect " + host + ":" + service + ": " + last_error};
}

std::optional<ProcessId> process_listening_on(int port) {
  std::set<std::string> inodes;
  listening_inodes("/proc/net/tcp", port, inodes);
  listening_inodes("/proc/net/tcp6", port, inodes);
  if (inodes.empty()) return std::nullopt;
  auto owner = owner_of_socket(inodes);
  if (!owner) return std::nullopt;
  auto id = identify_process(*owner);
  if (!id.ok()) return std::nullopt;
  return *id;
}

uint64_t raise_open_files_limit() {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0) return 0;
  if (files.rlim_cur < files.rlim_max) {
    rlimit raised = files;
    raised.rlim_cur = files.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) files = raised;
  }
  return uint64_t(files.rlim_cur);
}

}  // namespace faultline

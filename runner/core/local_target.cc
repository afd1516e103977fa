#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "runner/core/files.h"
#include "runner/core/target.h"

namespace faultline {
namespace {

class LocalTarget final : public Target {
 public:
  std::string name() const override { return "local"; }

  Result<ExecResult> run(const Command& command, Millis timeout) override {
    return run_command(command, timeout);
  }

  bool has_program(const std::string& program) override { return program_exists(program); }

  Result<ProcessId> identify(pid_t pid) override { return identify_process(pid); }

  std::vector<ProcessId> find_processes(const std::string& exact_name) override {
    return find_processes_by_name(exact_name);
  }

  Result<ProcessId> read_pidfile(const std::string& path) override {
    auto text = read_file(path);
    if (!text.ok()) return Error{"cannot read pidfile: " + text.error().message};
    std::string digits;
    for (char c : *text) {
      if (c >= '0' && c <= '9')
        digits += c;
      else if (!digits.empty() || !std::isspace(static_cast<unsigned char>(c)))
        break;
    }
    if (digits.empty() || digits.size() > 9) return Error{"pidfile " + path + " holds no pid"};
    auto id = identify_process(static_cast<pid_t>(std::stol(digits)));
    if (!id.ok())
      return Error{"pidfile " + path + " names pid " + digits + ", which is not running"};
    return id;
  }

  bool is_alive(const ProcessId& process) override { return is_same_process_alive(process); }

  Status signal(const ProcessId& process, int signal) override {
    return signal_process(process, signal);
  }

  Status tcp_connect(const std::string& host, int port, Millis timeout) override {
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
};

}  // namespace

std::shared_ptr<Target> make_local_target() { return std::make_shared<LocalTarget>(); }

}  // namespace faultline

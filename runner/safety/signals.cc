#include "runner/safety/signals.h"

#include <signal.h>

#include <cstdio>
#include <ctime>

namespace faultline {

SignalWatcher::SignalWatcher(StopRequest& request) : request_(request) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);  // an SSH session dropping must roll back, not kill the runner
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  thread_ = std::thread([this, set] {
    while (!done_) {
      timespec wait{0, 100 * 1000 * 1000};
      int signal = sigtimedwait(&set, nullptr, &wait);
      if (signal <= 0) continue;
      if (request_.signal.exchange(signal) == 0) {
        std::fprintf(stderr, "\nfaultline: got SIG%s: rolling back every fault, then stopping\n",
                     signal == SIGINT    ? "INT"
                     : signal == SIGTERM ? "TERM"
                                         : "HUP");
      } else {
        std::fprintf(stderr, "\nfaultline: rollback in progress; it will not be interrupted\n");
      }
    }
  });
}

SignalWatcher::~SignalWatcher() {
  done_ = true;
  if (thread_.joinable()) thread_.join();
}

}  // namespace faultline

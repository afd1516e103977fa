#pragma once
// pidfds, through syscall(): Debian 12's glibc 2.36 declares pidfd_open in
// <sys/pidfd.h> without C linkage, so C++ cannot link against it.
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace faultline {

// A descriptor that names process `pid` for as long as it is open (even after the pid
// is reused), or -1 with errno set.
inline int open_pidfd(pid_t pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// Sends `signal` to the process `pidfd` names; -1 with errno ESRCH once it has exited.
inline int signal_pidfd(int pidfd, int signal) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
}

}  // namespace faultline

#pragma once
// Local network helpers for the local target: a TCP connect with a deadline, and
// finding which process listens on a port (so a service can prove it is what answers).
#include <cstdint>
#include <optional>
#include <string>

#include "runner/core/duration.h"
#include "runner/core/process_id.h"
#include "runner/core/result.h"

namespace faultline {

Status tcp_connect(const std::string& host, int port, Millis timeout);

// The process holding a listening TCP socket (IPv4 or IPv6) on `port`, found through
// /proc/net/tcp{,6} and the processes' open descriptors; nullopt when none is
// listening or its owner cannot be seen (another user's process, as non-root).
std::optional<ProcessId> process_listening_on(int port);

// Raises this process's soft limit on open descriptors to its hard limit (as every Go
// program, Toxiproxy among them, does at start) and answers the limit now in force: a
// server of many connections would otherwise stop at the usual soft 1024.
uint64_t raise_open_files_limit();

}  // namespace faultline

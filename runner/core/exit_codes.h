#pragma once

// The exit codes CI gates on (DESIGN.md "Exit codes"), named once for every command.
namespace faultline::exit_codes {

inline constexpr int kMet = 0;
// Objectives missed, a hypothesis failed, or (records verify, audit) a problem was found.
inline constexpr int kMissed = 1;
inline constexpr int kUsage = 2;
// Stopped before or during the drill (preflight, unhealthy baseline, signal); all rolled back.
inline constexpr int kAborted = 3;
// Rollback failed: the system may still be faulted; `faultline recover` is the way back.
inline constexpr int kRollbackFailed = 4;
// The drill ran, but its record (or JUnit file, or store entry) could not be written.
inline constexpr int kRecordNotWritten = 5;

}  // namespace faultline::exit_codes

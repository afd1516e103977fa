#pragma once
// Live views of a running drill, on stderr: a status line plus event lines on a TTY,
// plain timestamped log lines otherwise (CI), or JSON lines for machines. Every view is
// fed through a queue and written by a thread of its own, so a stderr that nobody
// reads (a stopped pager, a stuck CI runner) delays the log, never the drill.
#include <memory>

#include "runner/engine/observer.h"

namespace faultline {

enum class LogFormat { text, json };

struct ViewOptions {
  LogFormat format = LogFormat::text;
  bool tty = false;    // redraw a status line (text format only)
  bool quiet = false;  // nothing while running
};

std::unique_ptr<DrillObserver> make_view(const ViewOptions& options);

// Delivers to `inner` on a thread of its own, in the order received. Destroying it
// waits up to two seconds for what is queued to be written, then gives up on it.
std::unique_ptr<DrillObserver> make_async_observer(std::unique_ptr<DrillObserver> inner);

}  // namespace faultline

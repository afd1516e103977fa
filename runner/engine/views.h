#pragma once
// Live views of a running drill, on stderr: a status line plus event lines on a TTY,
// plain timestamped log lines otherwise (CI), or JSON lines for machines.
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

}  // namespace faultline

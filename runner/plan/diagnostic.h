#pragma once
// What the loader says about a plan, and where: each problem is a Diagnostic at a
// file:line:col, rendered as ninja renders its manifest errors (the line, then a caret).
#include <string>

namespace faultline {

struct SourceLocation {
  std::string file;
  int line = 0;    // 1-based; 0 = unknown
  int column = 0;  // 1-based
};

// An error stops the plan from loading; a note only tells (what was checked without a
// value, LoadMode::to_check).
enum class Severity { error, note };

struct Diagnostic {
  SourceLocation where;
  std::string message;
  Severity severity = Severity::error;
};

// "PATH:LINE:COL: error: MESSAGE" (or "note:"), then the source line and a caret under the column
// (when the line is known and printable). Columns count bytes, as yaml-cpp's do. A
// message longer than 300 bytes keeps its two ends.
std::string render_diagnostic(const Diagnostic& diagnostic, const std::string& text);

}  // namespace faultline

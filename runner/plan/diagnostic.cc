#include "runner/plan/diagnostic.h"

#include <fmt/format.h>

#include "runner/plan/source_checks.h"

namespace faultline {
namespace {

// Messages quote values from the file, and a hostile value can be a MiB long. Both
// ends of a message say what is wrong, so the middle goes.
std::string shortened(const std::string& message) {
  if (message.size() <= 300) return message;
  size_t head = 150, tail = message.size() - 100;
  auto continuation = [&](size_t i) {
    return (static_cast<unsigned char>(message[i]) & 0xC0) == 0x80;
  };
  while (continuation(head)) --head;
  while (continuation(tail)) ++tail;
  return message.substr(0, head) + "[...]" + message.substr(tail);
}

}  // namespace

std::string render_diagnostic(const Diagnostic& diagnostic, const std::string& text) {
  const auto& where = diagnostic.where;
  std::string message = shortened(diagnostic.message);
  const char* severity = diagnostic.severity == Severity::note ? "note" : "error";
  if (where.line <= 0) return fmt::format("{}: {}: {}\n", where.file, severity, message);
  std::string out =
      fmt::format("{}:{}:{}: {}: {}\n", where.file, where.line, where.column, severity, message);
  size_t start = 0;
  for (int line = 1; line < where.line && start != std::string::npos; ++line) {
    start = text.find('\n', start);
    if (start != std::string::npos) ++start;
  }
  if (start == std::string::npos || start >= text.size()) return out;
  std::string source = text.substr(start, text.find('\n', start) - start);
  if (!source.empty() && source.back() == '\r') source.pop_back();
  if (source.size() > 200) return out;
  // Do not echo control bytes or broken UTF-8 to a terminal.
  for (size_t i = 0; i < source.size();) {
    size_t length = utf8_sequence_length(source, i);
    if (length == 0 || (static_cast<unsigned char>(source[i]) < 0x20 && source[i] != '\t'))
      return out;
    i += length;
  }
  std::string caret;
  for (int col = 1; col < where.column && col <= static_cast<int>(source.size()); ++col) {
    unsigned char c = static_cast<unsigned char>(source[col - 1]);
    if ((c & 0xC0) == 0x80) continue;  // a UTF-8 continuation byte is part of the column before
    caret += c == '\t' ? '\t' : ' ';
  }
  return out + source + "\n" + caret + "^\n";
}

}  // namespace faultline

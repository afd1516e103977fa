#pragma once
#include <string>

namespace faultline {

// Shortens `text` to at most `max_bytes`, never inside a UTF-8 sequence, adding "..."
// when it cut anything. Command and probe output is shortened with this for messages.
inline std::string truncate_text(std::string text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes > 3 ? max_bytes - 3 : 0;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  return text + "...";
}

// One printable line: every control byte (newlines, ESC, ...) becomes a space, so that
// a probe's or plugin's output can neither split a log line nor drive the terminal.
inline std::string one_line(std::string text) {
  for (char& c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) c = ' ';
  }
  return text;
}

}  // namespace faultline

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

}  // namespace faultline

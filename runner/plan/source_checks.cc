#include "runner/plan/source_checks.h"

#include <fmt/format.h>

namespace faultline {

size_t utf8_sequence_length(const std::string& text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
  if (length == 0 || lead > 0xF4 || i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  if (lead == 0xE0 && byte(i + 1) < 0xA0) return 0;
  if (lead == 0xED && byte(i + 1) > 0x9F) return 0;
  if (lead == 0xF0 && byte(i + 1) < 0x90) return 0;
  if (lead == 0xF4 && byte(i + 1) > 0x8F) return 0;
  return length;
}

std::vector<Diagnostic> check_plan_source(const std::string& path, const std::string& text) {
  std::vector<Diagnostic> found;
  if (text.size() > kMaxPlanBytes) {
    found.push_back(
        {{path, 1, 1},
         fmt::format("plan is {} bytes; the limit is {} bytes", text.size(), kMaxPlanBytes)});
    return found;
  }
  bool blank = text.find_first_not_of(" \t\r\n") == std::string::npos;
  if (blank) {
    found.push_back({{path, 1, 1}, "plan is empty; a plan starts with 'version: 1'"});
    return found;
  }
  int line = 1, column = 1;
  bool in_indentation = true;
  for (size_t i = 0; i < text.size();) {
    if (line > kMaxPlanLines) {
      found.push_back(
          {{path, line, 1},
           fmt::format("plan has more than {0} lines; the limit is {0}", kMaxPlanLines)});
      return found;
    }
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0 || (c < 0x20 && c != '\n' && c != '\t' && c != '\r')) {
      found.push_back({{path, line, column},
                       fmt::format("control character 0x{:02x}: this is not a text file", c)});
      return found;
    }
    size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      found.push_back({{path, line, column}, fmt::format("invalid UTF-8 (byte 0x{:02x})", c)});
      return found;
    }
    if (c == '\t' && in_indentation) {
      found.push_back({{path, line, column}, "tab in indentation; YAML indents with spaces"});
      // One per line is enough; keep looking for others so all are reported at once.
      in_indentation = false;
    }
    if (c == '\n') {
      ++line, column = 1, in_indentation = true;
    } else {
      if (c != ' ' && c != '\t' && c != '-') in_indentation = false;
      column += static_cast<int>(length);
    }
    i += length;
  }
  return found;
}

}  // namespace faultline

#include "reports/xml_text.h"

#include "runner/core/json.h"

namespace faultline {
namespace {

// json_text already replaces invalid UTF-8 with U+FFFD for records; reading its output
// back reuses that one repair instead of keeping a second UTF-8 decoder.
std::string valid_utf8(const std::string& text) {
  Json repaired = Json::parse(json_text(Json(text)), nullptr, /*allow_exceptions=*/false);
  return repaired.is_string() ? repaired.get<std::string>() : std::string();
}

// U+FFFE and U+FFFF are not XML characters; in UTF-8 they are EF BF BE and EF BF BF.
bool is_noncharacter_at(const std::string& text, size_t i) {
  return i + 2 < text.size() && text[i] == '\xEF' && text[i + 1] == '\xBF' &&
         (text[i + 2] == '\xBE' || text[i + 2] == '\xBF');
}

// `text` as valid UTF-8 holding only characters XML 1.0 allows.
std::string xml_characters(const std::string& text) {
  std::string valid = valid_utf8(text);
  std::string out;
  out.reserve(valid.size());
  for (size_t i = 0; i < valid.size(); ++i) {
    if (is_noncharacter_at(valid, i)) {
      i += 2;
      continue;
    }
    char c = valid[i];
    // Other control characters are forbidden even as character references.
    if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') out += c;
  }
  return out;
}

std::string escape_markup(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\t':
        out += "&#9;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string xml_escape(const std::string& text) { return escape_markup(xml_characters(text)); }

std::string xml_name(const std::string& text, const std::string& fallback) {
  std::string characters = xml_characters(text);
  bool blank = characters.find_first_not_of(" \t\n\r") == std::string::npos;
  return escape_markup(blank ? xml_characters(fallback) : characters);
}

}  // namespace faultline

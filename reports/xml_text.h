#pragma once
// Text in JUnit XML. Messages carry probe details and command output, which may hold
// bytes that are not UTF-8 or characters XML 1.0 forbids; one such byte makes the whole
// report unreadable to CI, so they are repaired here rather than trusted.
#include <string>

namespace faultline {

// `text` as XML character data or attribute value: markup characters escaped, tab and
// line breaks as character references (so attribute values keep them), characters
// XML 1.0 forbids dropped, and invalid UTF-8 replaced by U+FFFD.
std::string xml_escape(const std::string& text);

// For attributes that must not be empty (names, hostnames): xml_escape(text), or
// xml_escape(fallback) when nothing but white space would be left of `text`.
std::string xml_name(const std::string& text, const std::string& fallback);

}  // namespace faultline

#pragma once
// Text as the report writers put it into HTML, SVG and Markdown, and the page around it.
#include <string>
#include <vector>

namespace faultline {

// `text` as HTML/SVG character data or a quoted attribute value (xml_escape: markup
// escaped, invalid UTF-8 repaired, control characters dropped).
std::string html_text(const std::string& text);

// `text` as one Markdown table cell or line: no line break, `|` and the characters that
// make emphasis, links, code or raw HTML escaped, so it renders as the same text.
std::string md_text(const std::string& text);

// A Markdown table (cells through md_text; an empty cell as "-"), and a line saying how
// many rows were left out when `omitted` is not 0.
std::string markdown_table(const std::vector<std::string>& header,
                           const std::vector<std::vector<std::string>>& rows, size_t omitted);

// A whole HTML page: `title` (escaped here), the shared inline style, and `body` (HTML).
std::string html_page(const std::string& title, const std::string& body);

// A number for SVG coordinates: fixed, at most one decimal.
std::string svg_number(double value);

}  // namespace faultline

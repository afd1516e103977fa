#pragma once
// Regular expressions from users (plans, plugins) run on RE2: linear time, bounded
// memory, no recursion. std::regex recurses per character and overflowed the stack
// (SIGSEGV with a fault injected) on 30 KB of probe output.
#include <memory>
#include <string>
#include <string_view>

#include "runner/core/result.h"

namespace re2 {
class RE2;
}

namespace faultline {

class Pattern {
 public:
  // Compiles `text` (RE2 syntax); the error names what is wrong with it.
  static Result<Pattern> compile(const std::string& text);

  // Whether some part of `text` matches (a search, like grep).
  bool found_in(std::string_view text) const;
  // Whether all of `text` matches.
  bool matches_whole(std::string_view text) const;
  const std::string& text() const { return text_; }

 private:
  Pattern(std::string text, std::shared_ptr<const re2::RE2> compiled)
      : text_(std::move(text)), compiled_(std::move(compiled)) {}

  std::string text_;
  // Shared: RE2 is thread-safe for matching, and probes copy their configuration.
  std::shared_ptr<const re2::RE2> compiled_;
};

}  // namespace faultline

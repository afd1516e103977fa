#include "runner/core/pattern.h"

#include <re2/re2.h>

namespace faultline {

Result<Pattern> Pattern::compile(const std::string& text) {
  RE2::Options options;
  options.set_log_errors(false);
  // Plans are small; a pattern that needs more than this is a mistake or an attack.
  options.set_max_mem(8 << 20);
  auto compiled = std::make_shared<const RE2>(text, options);
  if (!compiled->ok()) {
    return Error{ErrorCode::invalid, "invalid regex: " + compiled->error()};
  }
  return Pattern(text, std::move(compiled));
}

bool Pattern::found_in(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *compiled_);
}

bool Pattern::matches_whole(std::string_view text) const {
  return RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *compiled_);
}

}  // namespace faultline

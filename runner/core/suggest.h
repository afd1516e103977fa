#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

// The candidate closest to `word` by edit distance, or "" when none is close enough
// to be a plausible typo. Used for unknown plan keys, types and CLI commands.
std::string nearest_word(std::string_view word, const std::vector<std::string>& candidates);

// ", did you mean 'x'?" or "" — appended to "unknown ..." messages.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace faultline

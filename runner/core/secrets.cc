#include "runner/core/secrets.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include "runner/core/json.h"
#include "runner/core/text.h"

namespace faultline {
namespace {

std::mutex mutex;
std::vector<std::string>& secrets() {
  static std::vector<std::string> values;
  return values;
}

}  // namespace

void register_secret(std::string value) {
  // Very short values would redact innocent text everywhere and protect nothing.
  if (value.size() < 3) return;
  // A secret inside JSON text (a plugin's params, say) appears escaped: hide that too.
  std::string escaped = json_text(Json(value));
  escaped = escaped.substr(1, escaped.size() - 2);
  std::lock_guard lock(mutex);
  auto& values = secrets();
  if (escaped != value && std::find(values.begin(), values.end(), escaped) == values.end()) {
    values.push_back(escaped);
  }
  if (std::find(values.begin(), values.end(), value) != values.end()) return;
  values.push_back(std::move(value));
  // Longest first, so a secret that contains another is replaced whole.
  std::sort(values.begin(), values.end(), [](auto& a, auto& b) { return a.size() > b.size(); });
}

std::string redact(std::string_view text) {
  std::string out(text);
  std::lock_guard lock(mutex);
  for (const std::string& secret : secrets()) {
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at)) {
      out.replace(at, secret.size(), kRedacted);
      at += kRedacted.size();
    }
  }
  return out;
}

std::string redacted_excerpt(std::string_view text, size_t max_bytes) {
  return truncate_text(redact(text), max_bytes);
}

std::vector<std::string> registered_secrets() {
  std::lock_guard lock(mutex);
  return secrets();
}

void forget_secrets_for_testing() {
  std::lock_guard lock(mutex);
  secrets().clear();
}

}  // namespace faultline

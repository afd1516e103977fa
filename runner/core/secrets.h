#pragma once
// Secret values (${env:NAME} substitutions and variables declared secret) must never
// reach a log line or a drill record. Every writer passes its text through redact().
// Process-wide because logs are written from every folder. Thread-safe.
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

constexpr std::string_view kRedacted = "[secret]";

void register_secret(std::string value);
std::string redact(std::string_view text);
// Redacts first and only then shortens to `max_bytes` (a cut-off secret would no longer
// match, and "...0000Tok3n/Va..." leaked). Use this for every excerpt of output.
std::string redacted_excerpt(std::string_view text, size_t max_bytes);
// Every secret registered so far (the journal keeps them, mode 0600, for recover).
std::vector<std::string> registered_secrets();
void forget_secrets_for_testing();

}  // namespace faultline

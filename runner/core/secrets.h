#pragma once
// Secret values (${env:NAME} substitutions and variables declared secret) must never
// reach a log line or a drill record. Every writer passes its text through redact().
// Process-wide because logs are written from every folder. Thread-safe.
#include <string>
#include <string_view>

namespace faultline {

constexpr std::string_view kRedacted = "[secret]";

void register_secret(std::string value);
std::string redact(std::string_view text);
void forget_secrets_for_testing();

}  // namespace faultline

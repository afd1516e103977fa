#pragma once
// The one way faultline hashes: SHA-256 (plan files, the record ledger) and HMAC-SHA-256
// (a signed ledger), through libcrypto.
#include <string>
#include <string_view>

namespace faultline {

// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

// Lower-case hex HMAC-SHA-256 of `data` under `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

}  // namespace faultline

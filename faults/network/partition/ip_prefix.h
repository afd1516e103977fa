#pragma once
// IPv4 and IPv6 addresses and prefixes as a plan writes them ("10.0.0.5",
// "10.0.0.0/24", "fd00::1", "fd00::/64"), parsed into bytes. Only the parsed form is
// ever written back out (text()), so nothing a plan says reaches nft as it was typed.
#include <array>
#include <cstdint>
#include <string>

#include "runner/core/result.h"

namespace faultline {

struct IpPrefix {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // network byte order; IPv4 uses the first 4
  int length = 32;                  // prefix length in bits

  // Canonical text: "10.0.0.0/24", or the address alone for a single host.
  std::string text() const;
  // Whether the two share any address (one contains the other).
  bool overlaps(const IpPrefix& other) const;
  bool contains(const IpPrefix& other) const;
};

// Fails with ErrorCode::invalid and a message that says what is wrong ("'10.0.0.300' is
// not an IPv4 or IPv6 address"). Host bits set under the prefix are refused
// ("10.0.0.5/24"): the writer most likely meant something else.
Result<IpPrefix> parse_ip_prefix(const std::string& text);

}  // namespace faultline

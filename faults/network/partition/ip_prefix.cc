#include "faults/network/partition/ip_prefix.h"

#include <arpa/inet.h>

#include <algorithm>

namespace faultline {
namespace {

int bits_of(const IpPrefix& prefix) { return prefix.v6 ? 128 : 32; }

// Whether the first `length` bits of a and b agree.
bool same_leading_bits(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b,
                       int length) {
  for (int bit = 0; bit < length; ++bit) {
    int byte = bit / 8, mask = 0x80 >> (bit % 8);
    if ((a[byte] & mask) != (b[byte] & mask)) return false;
  }
  return true;
}

}  // namespace

std::string IpPrefix::text() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buffer, sizeof buffer);
  std::string out = buffer;
  if (length != bits_of(*this)) out += "/" + std::to_string(length);
  return out;
}

bool IpPrefix::contains(const IpPrefix& other) const {
  return v6 == other.v6 && length <= other.length && same_leading_bits(bytes, other.bytes, length);
}

bool IpPrefix::overlaps(const IpPrefix& other) const {
  return contains(other) || other.contains(*this);
}

Result<IpPrefix> parse_ip_prefix(const std::string& text) {
  IpPrefix prefix;
  std::string address = text;
  std::string length_text;
  if (auto slash = text.find('/'); slash != std::string::npos) {
    address = text.substr(0, slash);
    length_text = text.substr(slash + 1);
  }
  if (inet_pton(AF_INET, address.c_str(), prefix.bytes.data()) == 1) {
    prefix.v6 = false;
  } else if (inet_pton(AF_INET6, address.c_str(), prefix.bytes.data()) == 1) {
    prefix.v6 = true;
  } else {
    return Error{ErrorCode::invalid,
                 "'" + text + "' is not an IPv4 or IPv6 address (or prefix like 10.0.0.0/24)"};
  }
  prefix.length = bits_of(prefix);
  if (text.find('/') != std::string::npos) {
    bool digits = !length_text.empty() && length_text.size() <= 3 &&
                  std::all_of(length_text.begin(), length_text.end(), ::isdigit);
    int length = digits ? std::stoi(length_text) : -1;
    if (length < 0 || length > bits_of(prefix)) {
      return Error{ErrorCode::invalid, "'" + text + "': the prefix length must be 0 to " +
                                           std::to_string(bits_of(prefix))};
    }
    prefix.length = length;
  }
  IpPrefix network = prefix;
  for (int bit = prefix.length; bit < bits_of(prefix); ++bit) {
    network.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
  }
  if (network.bytes != prefix.bytes) {
    return Error{ErrorCode::invalid, "'" + text + "' has host bits set under its /" +
                                         std::to_string(prefix.length) + " prefix; write " +
                                         network.text()};
  }
  return prefix;
}

}  // namespace faultline

#include "faults/db/postgres/conninfo.h"

#include <cctype>
#include <optional>
#include <utility>
#include <vector>

namespace faultline {
namespace {

bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// key=value pairs as libpq's conninfo_parse reads them; nullopt when malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> key_values(
    const std::string& text) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t at = 0;
  auto skip = [&] {
    while (at < text.size() && space(text[at])) ++at;
  };
  for (;;) {
    skip();
    if (at == text.size()) return pairs;
    std::string key;
    while (at < text.size() && text[at] != '=' && !space(text[at])) key += text[at++];
    skip();
    if (key.empty() || at == text.size() || text[at] != '=') return std::nullopt;
    ++at;
    skip();
    std::string value;
    if (at < text.size() && text[at] == '\'') {
      ++at;
      for (;; ++at) {
        if (at == text.size()) return std::nullopt;  // unterminated quote
        if (text[at] == '\\' && at + 1 < text.size()) {
          value += text[++at];
        } else if (text[at] == '\'') {
          ++at;
          break;
        } else {
          value += text[at];
        }
      }
    } else {
      while (at < text.size() && !space(text[at])) {
        if (text[at] == '\\' && at + 1 < text.size()) ++at;
        value += text[at++];
      }
    }
    pairs.emplace_back(key, value);
  }
}

std::string quoted(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string percent_decoded(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

SplitConninfo split_uri(const std::string& uri, size_t scheme_end) {
  SplitConninfo split{uri, ""};
  size_t authority = scheme_end + 3;
  size_t authority_end = uri.find_first_of("/?", authority);
  if (authority_end == std::string::npos) authority_end = uri.size();
  std::string rest = uri.substr(authority_end);
  std::string hosts = uri.substr(authority, authority_end - authority);
  size_t at = hosts.rfind('@');
  if (at != std::string::npos) {
    std::string userinfo = hosts.substr(0, at);
    size_t colon = userinfo.find(':');
    if (colon != std::string::npos) {
      split.password = percent_decoded(userinfo.substr(colon + 1));
      hosts = userinfo.substr(0, colon) + hosts.substr(at);
    }
  }
  // ?a=b&password=c&d=e: the password parameter goes (it wins over the userinfo's).
  size_t query = rest.find('?');
  if (query != std::string::npos) {
    std::string kept;
    size_t start = query + 1;
    while (start <= rest.size()) {
      size_t end = rest.find('&', start);
      if (end == std::string::npos) end = rest.size();
      std::string param = rest.substr(start, end - start);
      if (param.rfind("password=", 0) == 0) {
        split.password = percent_decoded(param.substr(9));
      } else if (!param.empty()) {
        kept += (kept.empty() ? "" : "&") + param;
      }
      start = end + 1;
    }
    rest = rest.substr(0, query) + (kept.empty() ? "" : "?" + kept);
  }
  split.without_password = uri.substr(0, authority) + hosts + rest;
  return split;
}

}  // namespace

SplitConninfo split_password(const std::string& conninfo) {
  for (const char* scheme : {"postgresql://", "postgres://"}) {
    if (conninfo.rfind(scheme, 0) == 0) return split_uri(conninfo, conninfo.find("://"));
  }
  auto pairs = key_values(conninfo);
  if (!pairs) return {conninfo, ""};
  SplitConninfo split;
  for (const auto& [key, value] : *pairs) {
    if (key == "password") {
      split.password = value;
      continue;
    }
    split.without_password +=
        (split.without_password.empty() ? "" : " ") + key + "=" + quoted(value);
  }
  return split;
}

}  // namespace faultline

#pragma once
// A libpq connection string taken apart just enough to keep its password off a command
// line: pg_rewind gets the string without it, and the password through PGPASSWORD in its
// own environment (which only its user can read, unlike its arguments).
#include <string>

namespace faultline {

struct SplitConninfo {
  std::string without_password;  // the same connection, minus the password
  std::string password;          // "" when there was none
};

// Handles `key=value` strings (values bare or single-quoted, with backslash escapes) and
// postgresql:// URIs (user:password@ and ?password=). A string it cannot read is given
// back whole, with no password taken out (libpq then reads it as before).
SplitConninfo split_password(const std::string& conninfo);

}  // namespace faultline

#pragma once
// Lua patterns on a matcher that charges its steps to the call's instruction budget
// (lua_patterns.cc): replaces string.find, match, gmatch and gsub in a sandboxed state.
#include <lua.hpp>

namespace faultline {

void install_budgeted_patterns(lua_State* state);

}  // namespace faultline

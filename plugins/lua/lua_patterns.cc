// string.find, string.match, string.gmatch and string.gsub for sandboxed states, written
// from the Lua 5.4 manual's description of patterns (§6.4.1). Lua's own matcher runs in
// C, where the instruction budget never looks: `("a"):rep(1e5):find(".-.-.-b")`
// backtracks for hours. This one counts every step against the call's budget, so a
// pattern bomb is stopped like any other runaway. Plain C style on purpose: errors
// longjmp out of the recursion, so nothing here may own memory.
#include "plugins/lua/lua_patterns.h"

#include <cctype>
#include <cstring>

#include "plugins/lua/lua_vm.h"

namespace faultline {
namespace {

constexpr int kMaxCaptures = 32;
constexpr int kMaxDepth = 200;
constexpr ptrdiff_t kUnfinished = -1;
constexpr ptrdiff_t kPosition = -2;
constexpr int64_t kChargeEvery = 4096;

struct Match {
  const char* src_init;
  const char* src_end;
  const char* p_end;
  lua_State* state;
  int depth;
  int level;
  int64_t steps;
  struct {
    const char* init;
    ptrdiff_t len;
  } capture[kMaxCaptures];
};

void step(Match* m) {
  if (++m->steps >= kChargeEvery) {
    charge_steps(m->state, m->steps);
    m->steps = 0;
  }
}

const char* do_match(Match* m, const char* s, const char* p);

bool class_matches(int c, int cl) {
  bool result;
  switch (std::tolower(cl)) {
    case 'a':
      result = std::isalpha(c);
      break;
    case 'c':
      result = std::iscntrl(c);
      break;
    case 'd':
      result = std::isdigit(c);
      break;
    case 'g':
      result = std::isgraph(c);
      break;
    case 'l':
      result = std::islower(c);
      break;
    case 'p':
      result = std::ispunct(c);
      break;
    case 's':
      result = std::isspace(c);
      break;
    case 'u':
      result = std::isupper(c);
      break;
    case 'w':
      result = std::isalnum(c);
      break;
    case 'x':
      result = std::isxdigit(c);
      break;
    default:
      return cl == c;
  }
  return std::isupper(cl) ? !result : result;
}

// `p` is at '[', `end` at its closing ']'.
bool set_matches(int c, const char* p, const char* end) {
  bool wanted = true;
  if (*(p + 1) == '^') {
    wanted = false;
    ++p;
  }
  while (++p < end) {
    if (*p == '%') {
      ++p;
      if (class_matches(c, static_cast<unsigned char>(*p))) return wanted;
    } else if (*(p + 1) == '-' && p + 2 < end) {
      p += 2;
      if (static_cast<unsigned char>(*(p - 2)) <= c && c <= static_cast<unsigned char>(*p)) {
        return wanted;
      }
    } else if (static_cast<unsigned char>(*p) == c) {
      return wanted;
    }
  }
  return !wanted;
}

// Just past the single-character class that starts at `p`.
const char* class_end(Match* m, const char* p) {
  char c = *p++;
  if (c == '%') {
    if (p == m->p_end) luaL_error(m->state, "malformed pattern (ends with '%%')");
    return p + 1;
  }
  if (c == '[') {
    if (*p == '^') ++p;
    do {
      if (p == m->p_end) luaL_error(m->state, "malformed pattern (missing ']')");
      c = *p++;
      if (c == '%' && p < m->p_end) ++p;
    } while (*p != ']');
    return p + 1;
  }
  return p;
}

bool single_match(Match* m, const char* s, const char* p, const char* ep) {
  if (s >= m->src_end) return false;
  int c = static_cast<unsigned char>(*s);
  switch (*p) {
    case '.':
      return true;
    case '%':
      return class_matches(c, static_cast<unsigned char>(*(p + 1)));
    case '[':
      return set_matches(c, p, ep - 1);
    default:
      return static_cast<unsigned char>(*p) == c;
  }
}

const char* match_balance(Match* m, const char* s, const char* p) {
  if (p + 1 >= m->p_end) luaL_error(m->state, "malformed pattern (missing arguments to '%%b')");
  if (s >= m->src_end || *s != *p) return nullptr;
  char open = *p, close = *(p + 1);
  int depth = 1;
  while (++s < m->src_end) {
    step(m);
    if (*s == close) {
      if (--depth == 0) return s + 1;
    } else if (*s == open) {
      ++depth;
    }
  }
  return nullptr;
}

const char* max_expand(Match* m, const char* s, const char* p, const char* ep) {
  ptrdiff_t count = 0;
  while (single_match(m, s + count, p, ep)) {
    step(m);
    ++count;
  }
  while (count >= 0) {
    step(m);
    if (const char* result = do_match(m, s + count, ep + 1)) return result;
    --count;
  }
  return nullptr;
}

const char* min_expand(Match* m, const char* s, const char* p, const char* ep) {
  for (;;) {
    step(m);
    if (const char* result = do_match(m, s, ep + 1)) return result;
    if (!single_match(m, s, p, ep)) return nullptr;
    ++s;
  }
}

const char* start_capture(Match* m, const char* s, const char* p, ptrdiff_t what) {
  if (m->level >= kMaxCaptures) luaL_error(m->state, "too many captures");
  m->capture[m->level].init = s;
  m->capture[m->level].len = what;
  ++m->level;
  const char* result = do_match(m, s, p);
  if (result == nullptr) --m->level;
  return result;
}

const char* end_capture(Match* m, const char* s, const char* p) {
  int open = -1;
  for (int i = m->level - 1; i >= 0; --i) {
    if (m->capture[i].len == kUnfinished) {
      open = i;
      break;
    }
  }
  if (open < 0) luaL_error(m->state, "invalid pattern capture");
  m->capture[open].len = s - m->capture[open].init;
  const char* result = do_match(m, s, p);
  if (result == nullptr) m->capture[open].len = kUnfinished;
  return result;
}

const char* match_capture(Match* m, const char* s, int digit) {
  int index = digit - '1';
  if (index < 0 || index >= m->level || m->capture[index].len == kUnfinished) {
    luaL_error(m->state, "invalid capture index %%%d", index + 1);
  }
  size_t length = static_cast<size_t>(m->capture[index].len);
  if (static_cast<size_t>(m->src_end - s) >= length &&
      std::memcmp(m->capture[index].init, s, length) == 0) {
    return s + length;
  }
  return nullptr;
}

const char* do_match(Match* m, const char* s, const char* p) {
  if (++m->depth > kMaxDepth) luaL_error(m->state, "pattern too complex");
  const char* result = nullptr;
  for (;;) {
    step(m);
    if (p == m->p_end) {
      result = s;
      break;
    }
    if (*p == '(') {
      result = *(p + 1) == ')' ? start_capture(m, s, p + 2, kPosition)
                               : start_capture(m, s, p + 1, kUnfinished);
      break;
    }
    if (*p == ')') {
      result = end_capture(m, s, p + 1);
      break;
    }
    if (*p == '$' && p + 1 == m->p_end) {
      result = s == m->src_end ? s : nullptr;
      break;
    }
    if (*p == '%' && p + 1 < m->p_end && *(p + 1) == 'b') {
      s = match_balance(m, s, p + 2);
      if (s == nullptr) break;
      p += 4;
      continue;
    }
    if (*p == '%' && p + 1 < m->p_end && *(p + 1) == 'f') {
      p += 2;
      if (p >= m->p_end || *p != '[') luaL_error(m->state, "missing '[' after '%%f' in pattern");
      const char* ep = class_end(m, p);
      int previous = s == m->src_init ? 0 : static_cast<unsigned char>(*(s - 1));
      int current = s < m->src_end ? static_cast<unsigned char>(*s) : 0;
      if (!set_matches(previous, p, ep - 1) && set_matches(current, p, ep - 1)) {
        p = ep;
        continue;
      }
      break;
    }
    if (*p == '%' && p + 1 < m->p_end && std::isdigit(static_cast<unsigned char>(*(p + 1)))) {
      s = match_capture(m, s, static_cast<unsigned char>(*(p + 1)));
      if (s == nullptr) break;
      p += 2;
      continue;
    }
    const char* ep = class_end(m, p);
    char suffix = ep < m->p_end ? *ep : '\0';
    if (!single_match(m, s, p, ep)) {
      if (suffix == '*' || suffix == '?' || suffix == '-') {
        p = ep + 1;
        continue;
      }
      break;  // result stays null
    }
    if (suffix == '?') {
      if ((result = do_match(m, s + 1, ep + 1)) != nullptr) break;
      p = ep + 1;
      continue;
    }
    if (suffix == '+') {
      result = max_expand(m, s + 1, p, ep);
      break;
    }
    if (suffix == '*') {
      result = max_expand(m, s, p, ep);
      break;
    }
    if (suffix == '-') {
      result = min_expand(m, s, p, ep);
      break;
    }
    ++s;
    p = ep;
  }
  --m->depth;
  return result;
}

void prepare(Match* m, lua_State* state, const char* s, size_t ls, const char* p, size_t lp) {
  m->state = state;
  m->src_init = s;
  m->src_end = s + ls;
  m->p_end = p + lp;
  m->depth = 0;
  m->level = 0;
  m->steps = 0;
}

void restart(Match* m) {
  m->level = 0;
  m->depth = 0;
}

void push_capture(Match* m, int i, const char* s, const char* e) {
  if (i >= m->level) {
    if (i != 0) luaL_error(m->state, "invalid capture index %%%d", i + 1);
    lua_pushlstring(m->state, s, static_cast<size_t>(e - s));
    return;
  }
  ptrdiff_t length = m->capture[i].len;
  if (length == kUnfinished) luaL_error(m->state, "unfinished capture");
  if (length == kPosition) {
    lua_pushinteger(m->state, (m->capture[i].init - m->src_init) + 1);
  } else {
    lua_pushlstring(m->state, m->capture[i].init, static_cast<size_t>(length));
  }
}

// Pushes the captures (or the whole match when there are none and `s` is set).
int push_captures(Match* m, const char* s, const char* e) {
  int count = (m->level == 0 && s != nullptr) ? 1 : m->level;
  luaL_checkstack(m->state, count, "too many captures");
  for (int i = 0; i < count; ++i) push_capture(m, i, s, e);
  return count;
}

size_t start_position(lua_Integer position, size_t length) {
  if (position > 0) return static_cast<size_t>(position);
  if (position == 0) return 1;
  if (position < -static_cast<lua_Integer>(length)) return 1;
  return length + static_cast<size_t>(position) + 1;
}

bool has_specials(const char* p, size_t lp) {
  for (size_t i = 0; i < lp; ++i) {
    if (std::strchr("^$*+?.([%-", p[i]) != nullptr) return true;
  }
  return false;
}

// Plain substring search, charged like matching (one step per position tried).
const char* find_plain(lua_State* state, const char* s, size_t ls, const char* p, size_t lp) {
  if (lp == 0) return s;
  if (lp > ls) return nullptr;
  Match m;
  prepare(&m, state, s, ls, p, lp);
  for (const char* at = s; at + lp <= s + ls; ++at) {
    step(&m);
    if (*at == *p && std::memcmp(at, p, lp) == 0) return at;
  }
  return nullptr;
}

int find_or_match(lua_State* state, bool find) {
  size_t ls = 0, lp = 0;
  const char* s = luaL_checklstring(state, 1, &ls);
  const char* p = luaL_checklstring(state, 2, &lp);
  size_t init = start_position(luaL_optinteger(state, 3, 1), ls);
  if (init > ls + 1) {
    lua_pushnil(state);
    return 1;
  }
  if (find && (lua_toboolean(state, 4) || !has_specials(p, lp))) {
    const char* at = find_plain(state, s + init - 1, ls - init + 1, p, lp);
    if (at == nullptr) {
      lua_pushnil(state);
      return 1;
    }
    lua_pushinteger(state, (at - s) + 1);
    lua_pushinteger(state, static_cast<lua_Integer>((at - s) + lp));
    return 2;
  }
  Match m;
  const char* subject = s + init - 1;
  bool anchored = lp > 0 && *p == '^';
  if (anchored) ++p, --lp;
  prepare(&m, state, s, ls, p, lp);
  do {
    restart(&m);
    if (const char* e = do_match(&m, subject, p)) {
      if (find) {
        lua_pushinteger(state, (subject - s) + 1);
        lua_pushinteger(state, e - s);
        return push_captures(&m, nullptr, nullptr) + 2;
      }
      return push_captures(&m, subject, e);
    }
  } while (subject++ < m.src_end && !anchored);
  charge_steps(state, m.steps);
  lua_pushnil(state);
  return 1;
}

int budgeted_find(lua_State* state) { return find_or_match(state, true); }
int budgeted_match(lua_State* state) { return find_or_match(state, false); }

// Upvalues: subject, pattern, next position (0-based), end of the last match (-1: none).
int gmatch_next(lua_State* state) {
  size_t ls = 0, lp = 0;
  const char* s = lua_tolstring(state, lua_upvalueindex(1), &ls);
  const char* p = lua_tolstring(state, lua_upvalueindex(2), &lp);
  lua_Integer position = lua_tointeger(state, lua_upvalueindex(3));
  lua_Integer last = lua_tointeger(state, lua_upvalueindex(4));
  Match m;
  prepare(&m, state, s, ls, p, lp);
  for (const char* from = s + position; from <= m.src_end; ++from) {
    restart(&m);
    const char* e = do_match(&m, from, p);
    if (e != nullptr && (e - s) != last) {
      lua_pushinteger(state, e - s);
      lua_replace(state, lua_upvalueindex(3));
      lua_pushinteger(state, e - s);
      lua_replace(state, lua_upvalueindex(4));
      return push_captures(&m, from, e);
    }
  }
  lua_pushinteger(state, static_cast<lua_Integer>(ls) + 1);
  lua_replace(state, lua_upvalueindex(3));
  return 0;
}

int budgeted_gmatch(lua_State* state) {
  size_t ls = 0;
  luaL_checklstring(state, 1, &ls);
  luaL_checkstring(state, 2);
  size_t init = start_position(luaL_optinteger(state, 3, 1), ls);
  if (init > ls + 1) init = ls + 1;
  lua_settop(state, 2);
  lua_pushinteger(state, static_cast<lua_Integer>(init) - 1);
  lua_pushinteger(state, -1);
  lua_pushcclosure(state, gmatch_next, 4);
  return 1;
}

void add_replacement(Match* m, luaL_Buffer* buffer, const char* s, const char* e, int kind) {
  lua_State* state = m->state;
  if (kind == LUA_TSTRING || kind == LUA_TNUMBER) {
    size_t length = 0;
    const char* text = lua_tolstring(state, 3, &length);
    for (size_t i = 0; i < length; ++i) {
      step(m);
      if (text[i] != '%') {
        luaL_addchar(buffer, text[i]);
        continue;
      }
      ++i;
      if (i < length && text[i] == '%') {
        luaL_addchar(buffer, '%');
      } else if (i < length && std::isdigit(static_cast<unsigned char>(text[i]))) {
        if (text[i] == '0') {
          luaL_addlstring(buffer, s, static_cast<size_t>(e - s));
        } else {
          push_capture(m, text[i] - '1', s, e);
          luaL_tolstring(state, -1, nullptr);
          lua_remove(state, -2);
          luaL_addvalue(buffer);
        }
      } else {
        luaL_error(state, "invalid use of '%%' in replacement string");
      }
    }
    return;
  }
  if (kind == LUA_TFUNCTION) {
    lua_pushvalue(state, 3);
    int count = push_captures(m, s, e);
    lua_call(state, count, 1);
  } else {
    push_capture(m, 0, s, e);
    lua_gettable(state, 3);
  }
  if (!lua_toboolean(state, -1)) {
    lua_pop(state, 1);
    luaL_addlstring(buffer, s, static_cast<size_t>(e - s));
  } else if (!lua_isstring(state, -1)) {
    luaL_error(state, "invalid replacement value (a %s)", luaL_typename(state, -1));
  } else {
    luaL_addvalue(buffer);
  }
}

int budgeted_gsub(lua_State* state) {
  size_t ls = 0, lp = 0;
  const char* s = luaL_checklstring(state, 1, &ls);
  const char* p = luaL_checklstring(state, 2, &lp);
  int kind = lua_type(state, 3);
  lua_Integer most = luaL_optinteger(state, 4, static_cast<lua_Integer>(ls) + 1);
  luaL_argexpected(
      state,
      kind == LUA_TNUMBER || kind == LUA_TSTRING || kind == LUA_TFUNCTION || kind == LUA_TTABLE, 3,
      "string/function/table");
  bool anchored = lp > 0 && *p == '^';
  if (anchored) ++p, --lp;
  luaL_Buffer buffer;
  luaL_buffinit(state, &buffer);
  Match m;
  prepare(&m, state, s, ls, p, lp);
  const char* from = s;
  const char* last = nullptr;
  lua_Integer replaced = 0;
  while (replaced < most) {
    restart(&m);
    const char* e = do_match(&m, from, p);
    if (e != nullptr && e != last) {
      ++replaced;
      add_replacement(&m, &buffer, from, e, kind);
      from = last = e;
    } else if (from < m.src_end) {
      luaL_addchar(&buffer, *from++);
    } else {
      break;
    }
    if (anchored) break;
  }
  luaL_addlstring(&buffer, from, static_cast<size_t>(m.src_end - from));
  luaL_pushresult(&buffer);
  lua_pushinteger(state, replaced);
  return 2;
}

}  // namespace

void install_budgeted_patterns(lua_State* state) {
  const luaL_Reg functions[] = {{"find", budgeted_find},
                                {"match", budgeted_match},
                                {"gmatch", budgeted_gmatch},
                                {"gsub", budgeted_gsub},
                                {nullptr, nullptr}};
  lua_getglobal(state, "string");
  luaL_setfuncs(state, functions, 0);
  lua_pop(state, 1);
}

}  // namespace faultline

// The Lua sandbox: every way out we know of is closed, and every runaway (instructions,
// memory, time, pattern backtracking) is stopped with an error that says which limit.
#include <catch2/catch.hpp>
#include <thread>

#include "plugins/lua/lua_plugin.h"
#include "runner/os/local_target.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

std::unique_ptr<Probe> inline_probe(const std::string& code, int64_t timeout_ms = 2000) {
  static auto type = make_inline_lua_probe_type();
  auto probe = type->configure(Params(Json{{"code", code}, {"timeout", timeout_ms}}));
  REQUIRE(probe.ok());
  return std::move(*probe);
}

ProbeOutcome run_inline(const std::string& code, int64_t timeout_ms = 2000) {
  auto target = make_local_target();
  return inline_probe(code, timeout_ms)->check(*target);
}

}  // namespace

TEST_CASE("each escape from the Lua sandbox fails with a clear error") {
  struct Escape {
    const char* code;
    const char* error;
  };
  const Escape escapes[] = {
      {"os.execute('touch /tmp/faultline-escaped')", "global 'os'"},
      {"return io.popen('id'):read('a')", "global 'io'"},
      {"return io.open('/etc/passwd'):read('a')", "global 'io'"},
      {"return require('socket')", "global 'require'"},
      {"return package.loadlib('/lib/x86_64-linux-gnu/libc.so.6', 'system')", "global 'package'"},
      {"return debug.getinfo(1)", "global 'debug'"},
      {"return dofile('/etc/passwd')", "global 'dofile'"},
      {"return loadfile('/etc/passwd')", "global 'loadfile'"},
      {"return load('\\27Lua\\84\\0')", "attempt to load a binary chunk"},
      {"return load(function() return nil end)", "string expected"},
      {"return string.dump(print)", "field 'dump'"},
      {"collectgarbage('stop')", "collectgarbage('stop') is not allowed"},
      {"collectgarbage('generational')", "is not allowed"},
      {"setmetatable({}, {__gc = function() while true do end end})", "__gc finalizers"},
      {"return fs.read('x')", "needs the drill's work dir"},
      {"return start({'sleep', '10'})", "start is for faults"},
      {"journal({x = 1})", "journal is for a fault's inject"},
  };
  for (const auto& escape : escapes) {
    ProbeOutcome outcome = run_inline(escape.code);
    INFO(escape.code << " -> " << outcome.detail);
    CHECK_FALSE(outcome.ok);
    CHECK(mentions(outcome.detail, escape.error));
  }
}

TEST_CASE("each runaway is stopped, even through the plugin's own pcall") {
  struct Runaway {
    const char* code;
    const char* error;
  };
  const Runaway runaways[] = {
      {"while true do end", "instructions (the budget per call); stopped"},
      {"while true do pcall(function() while true do end end) end", "instructions"},
      {"coroutine.wrap(function() while true do end end)()", "instructions"},
      {"load('while true do end')()", "instructions"},
      {"local function f() return f() + 1 end return f()", "MiB of memory"},
      {"local t = {} for i = 1, 1e9 do t[i] = i end", "MiB of memory (the cap per call)"},
      {"local s = string.rep('x', 1e9)", "MiB of memory"},
      {"local t = {} while true do pcall(function() t[#t + 1] = ('x'):rep(1e5) .. #t end) end",
       "MiB of memory"},
      // Pattern bombs: Lua's own matcher would backtrack in C for hours.
      {"return (('a'):rep(20000)):find('.-.-.-.-b')", "instructions"},
      {"return (('a'):rep(20000)):gsub('a*a*a*b', '')", "instructions"},
      {"for w in (('a'):rep(20000)):gmatch('a*a*a*b') do end", "instructions"},
      {"return (('a'):rep(20000)):match('(.-)(.-)(.-)b')", "instructions"},
  };
  for (const auto& runaway : runaways) {
    MonoTime started = MonoClock::now();
    ProbeOutcome outcome = run_inline(runaway.code);
    auto took = std::chrono::duration_cast<Millis>(MonoClock::now() - started);
    INFO(runaway.code << " -> " << outcome.detail);
    CHECK_FALSE(outcome.ok);
    CHECK(mentions(outcome.detail, runaway.error));
    CHECK(took < Millis(2000));
  }
}

TEST_CASE("a call past its time limit is stopped, host calls included") {
  MonoTime started = MonoClock::now();
  ProbeOutcome outcome = run_inline("sleep(10) return true", 300);
  auto took = std::chrono::duration_cast<Millis>(MonoClock::now() - started);
  INFO(outcome.detail);
  CHECK_FALSE(outcome.ok);
  CHECK(mentions(outcome.detail, "ran longer than 300ms (the time limit per call); stopped"));
  CHECK(took < Millis(1000));
}

TEST_CASE("Lua patterns still match as the Lua manual says") {
  ProbeOutcome outcome = run_inline(R"lua(
    local checks = {
      {select(2, ("key=value"):match("(%w+)=(%w+)")), "value"},
      {("hello world"):gsub("o", "0"), "hell0 w0rld"},
      {select(2, ("hello world"):gsub("o", "0")), 2},
      {("  trim  "):match("^%s*(.-)%s*$"), "trim"},
      {("f(a(b)c)d"):match("%b()"), "(a(b)c)"},
      {("THE (quick) fox"):find("%f[%a]%a+", 5), 6},
      {("abc"):match("()b()"), 2},
      {("x = 12, y = 7"):gsub("(%w+) = (%w+)", "%2=%1"), "12=x, 7=y"},
      {("abcabc"):find("b", 1, true), 2},
      {("a.b"):find(".", 1, true), 2},
      {("abab"):match("(ab)%1"), "ab"},
      {("$100"):gsub("%$(%d+)", {["100"] = "a hundred"}), "a hundred"},
      {("one two"):gsub("%w+", function(w) return w:upper() end), "ONE TWO"},
      {("[x]"):match("[%[](.)[%]]"), "x"},
      {("end"):find("d$"), 3},
    }
    local words = {}
    for w in ("one two  three"):gmatch("%a+") do words[#words + 1] = w end
    checks[#checks + 1] = {table.concat(words, ","), "one,two,three"}
    for i, c in ipairs(checks) do
      if c[1] ~= c[2] then return false, "check " .. i .. ": " .. tostring(c[1]) end
    end
    return true, "all match"
  )lua");
  INFO(outcome.detail);
  CHECK(outcome.ok);
}

TEST_CASE("concurrent checks of one Lua probe never share a state") {
  auto probe = inline_probe(R"lua(
    local mine = tostring({})
    shared = mine
    sleep(0.02)
    return shared == mine, shared
  )lua");
  auto target = make_local_target();
  std::vector<std::thread> threads;
  std::atomic<int> passed{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int round = 0; round < 5; ++round) {
        if (probe->check(*target).ok) ++passed;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(passed == 40);
}

TEST_CASE("a syntax error in an inline Lua probe is a configure error at its code") {
  auto type = make_inline_lua_probe_type();
  auto probe = type->configure(Params(Json{{"code", "return ("}, {"timeout", 1000}}));
  REQUIRE_FALSE(probe.ok());
  CHECK(probe.error().field == "code");
  CHECK(mentions(probe.error().message, "lua probe:1:"));
}

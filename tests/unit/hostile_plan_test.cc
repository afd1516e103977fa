// Hostile input: whatever the bytes, loading ends quickly with a precise diagnostic
// (PATH:LINE:COL: error: ...), never a crash, a hang or a plan.
#include <catch2/catch.hpp>
#include <random>

#include "runner/plan/source_checks.h"
#include "runner/runner.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

struct Refusal {
  PlanLoad load;
  double seconds = 0;
  std::string first;  // the first diagnostic, rendered
  std::string all;    // every diagnostic, rendered
};

// Loads `text`, which must be refused within a second of CPU time with at least one diagnostic that
// has a position.
Refusal refuse(const std::string& text) {
  // CPU time of this thread, not wall time: what must stay small is the work the
  // loader does (a quadratic path shows there), not how busy the machine is.
  const double start = thread_cpu_seconds();
  Refusal refusal;
  refusal.load = load_plan_text("hostile.yaml", text, builtin_registry());
  refusal.seconds = thread_cpu_seconds() - start;
  for (const auto& diagnostic : refusal.load.diagnostics)
    refusal.all += render_diagnostic(diagnostic, text);
  INFO(refusal.all.substr(0, 2000));
  CHECK(refusal.seconds < 1.0);
  CHECK_FALSE(refusal.load.plan.has_value());
  REQUIRE_FALSE(refusal.load.diagnostics.empty());
  const Diagnostic& first = refusal.load.diagnostics.front();
  CHECK(first.where.file == "hostile.yaml");
  CHECK(first.where.line >= 1);
  CHECK(first.where.column >= 1);
  refusal.first = render_diagnostic(first, text);
  CHECK(refusal.first.rfind("hostile.yaml:" + std::to_string(first.where.line) + ":" +
                                std::to_string(first.where.column) + ": error: ",
                            0) == 0);
  return refusal;
}

const char* kProbeAndFaultHead =
    "version: 1\nname: hostile\nsteady_state:\n  probes:\n    - tcp: {port: 80}\n";

// A var (itself an error) holding `levels` anchors, each a list of nine aliases of the
// one before: the last one names 9^levels scalars.
std::string laughs(int levels) {
  std::string out = "vars:\n  lol: [&l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]";
  for (int level = 1; level <= levels; ++level) {
    std::string previous = "*l" + std::to_string(level - 1);
    out += ", &l" + std::to_string(level) + " [";
    for (int i = 0; i < 9; ++i) out += (i ? ", " : "") + previous;
    out += "]";
  }
  return out + "]\n";
}

}  // namespace

TEST_CASE("an empty plan is refused with where to start") {
  Refusal refusal = refuse("");
  CHECK(refusal.all == "hostile.yaml:1:1: error: plan is empty; a plan starts with 'version: 1'\n");
}

TEST_CASE("a whitespace-only plan is refused as empty") {
  Refusal refusal = refuse("  \n\n   \r\n\t\n");
  REQUIRE(refusal.load.diagnostics.size() == 1);
  CHECK(refusal.load.diagnostics[0].message == "plan is empty; a plan starts with 'version: 1'");
}

TEST_CASE("a plan of only comments or document markers is refused as empty") {
  CHECK(refuse("# nothing here\n# at all\n").load.diagnostics.at(0).message ==
        "plan is empty; a plan starts with 'version: 1'");
  CHECK(refuse("---\n...\n").load.diagnostics.at(0).message ==
        "plan is empty; a plan starts with 'version: 1'");
}

TEST_CASE("invalid UTF-8 is refused at its byte, and the line is not echoed") {
  Refusal refusal = refuse("version: 1\nname: caf\xc3\xa9-\xff\n");
  // Columns count bytes: the e-acute is two.
  CHECK(refusal.all == "hostile.yaml:2:13: error: invalid UTF-8 (byte 0xff)\n");
  CHECK(refuse("version: 1\nname: \xc0\xaf\n").all ==
        "hostile.yaml:2:7: error: invalid UTF-8 (byte 0xc0)\n");
  CHECK(refuse("version: 1\nname: \xed\xa0\x80\n").all ==
        "hostile.yaml:2:7: error: invalid UTF-8 (byte 0xed)\n");
  CHECK(refuse("version: 1\nname: \xe2\x82").all ==
        "hostile.yaml:2:7: error: invalid UTF-8 (byte 0xe2)\n");
}

TEST_CASE("a NUL byte is refused as not text") {
  std::string text = "version: 1\nname: a";
  text += '\0';
  text += "b\n";
  CHECK(refuse(text).all ==
        "hostile.yaml:2:8: error: control character 0x00: this is not a text file\n");
  CHECK(refuse("version: 1\n\x1b[31mname: red\n").all ==
        "hostile.yaml:2:1: error: control character 0x1b: this is not a text file\n");
}

TEST_CASE("random binary data is refused quickly, whatever the bytes") {
  for (unsigned seed = 1; seed <= 50; ++seed) {
    std::mt19937 random(seed);
    std::string garbage;
    for (int i = 0; i < 64 * 1024; ++i) garbage += static_cast<char>(random() & 0xff);
    refuse(garbage);
  }
}

TEST_CASE("random printable noise is refused with a position") {
  const std::string alphabet = "ab:-[]{},&*!|>'\"%@` #\n  \n";
  for (unsigned seed = 1; seed <= 200; ++seed) {
    std::mt19937 random(seed);
    std::string noise;
    for (int i = 0; i < 400; ++i) noise += alphabet[random() % alphabet.size()];
    refuse(noise);
  }
}

TEST_CASE("tabs in indentation are each reported, at once") {
  std::string text =
      "version: 1\nsteady_state:\n\tinterval: 1s\n  \tprobes: []\nname: x\t# a tab after text is "
      "fine\n";
  Refusal refusal = refuse(text);
  CHECK(refusal.all ==
        "hostile.yaml:3:1: error: tab in indentation; YAML indents with spaces\n"
        "\tinterval: 1s\n"
        "^\n"
        "hostile.yaml:4:3: error: tab in indentation; YAML indents with spaces\n"
        "  \tprobes: []\n"
        "  ^\n");
}

TEST_CASE("a list at the top level is refused") {
  CHECK(
      refuse("- version: 1\n- name: x\n").all ==
      "hostile.yaml:1:1: error: a plan must be a mapping of keys (version, name, ...), not a list\n"
      "- version: 1\n"
      "^\n");
}

TEST_CASE("a single value at the top level is refused") {
  CHECK(refuse("just some words\n").all ==
        "hostile.yaml:1:1: error: a plan must be a mapping of keys (version, name, ...), not a "
        "single value\n"
        "just some words\n"
        "^\n");
  CHECK(refuse("\n\n  42\n").load.diagnostics.at(0).where.line == 3);
}

TEST_CASE("100000 opening brackets are refused as nesting too deep") {
  Refusal refusal = refuse(std::string(100000, '['));
  REQUIRE(refusal.load.diagnostics.size() == 1);
  CHECK(refusal.load.diagnostics[0].message == "invalid YAML: nesting is too deep");
  // The line is too long to echo.
  CHECK(refusal.first.find('\n') == refusal.first.size() - 1);
}

TEST_CASE("5000 nested maps are refused as nesting too deep") {
  std::string nested;
  for (int i = 0; i < 5000; ++i) nested += "{a: ";
  nested += "x";
  for (int i = 0; i < 5000; ++i) nested += "}";
  Refusal refusal = refuse(std::string(kProbeAndFaultHead) + "faults: " + nested + "\n");
  REQUIRE(refusal.load.diagnostics.size() == 1);
  CHECK(refusal.load.diagnostics[0].message == "invalid YAML: nesting is too deep");
  CHECK(refusal.load.diagnostics[0].where.line == 6);
}

TEST_CASE("deep block nesting is read top-down when it parses, and refused when too deep") {
  auto nested = [](int levels) {
    std::string text = std::string(kProbeAndFaultHead) +
                       "faults:\n  - name: deep\n    type: exec\n    at: 1s\n    params:\n";
    std::string indent = "     ";
    for (int i = 0; i < levels; ++i, indent += " ") text += indent + "inject:\n";
    return text + indent + "[true]\n";
  };
  Refusal parses = refuse(nested(400));
  CHECK(parses.all ==
        "hostile.yaml:12:7: error: fault 'deep' param 'inject' must be a list of arguments or a "
        "shell command line, not a mapping\n"
        "      inject:\n"
        "      ^\n");
  Refusal too_deep = refuse(nested(1000));
  REQUIRE(too_deep.load.diagnostics.size() == 1);
  CHECK(too_deep.load.diagnostics[0].message == "invalid YAML: nesting is too deep");
}

TEST_CASE("an alias bomb under faults: is not expanded") {
  std::string text = std::string(kProbeAndFaultHead) + laughs(12) + "faults: *l12\n";
  Refusal refusal = refuse(text);
  // The var, and nine items that are lists rather than faults (reported at the anchor).
  std::vector<std::string> messages;
  for (const auto& diagnostic : refusal.load.diagnostics) messages.push_back(diagnostic.message);
  REQUIRE(messages.size() == 11);
  CHECK(messages[0] == "var 'lol' has no default; pass --var lol=VALUE");
  CHECK(messages[1] == "var 'lol' must be a value or {default, secret, description}");
  for (size_t i = 2; i < messages.size(); ++i)
    CHECK(messages[i] == "fault must be a mapping, not a list");
}

TEST_CASE("an alias bomb under params: is not expanded") {
  std::string text = std::string(kProbeAndFaultHead) + laughs(12) +
                     "faults:\n"
                     "  - name: f\n"
                     "    type: exec\n"
                     "    at: 1s\n"
                     "    params: {inject: *l12, rollback: *l12, timeout: *l12}\n";
  Refusal refusal = refuse(text);
  CHECK(refusal.all.find("fault 'f' param 'inject' argument must be a single value, not a list") !=
        std::string::npos);
  CHECK(refusal.all.find("fault 'f' param 'timeout' must be a single value, not a list") !=
        std::string::npos);
}

TEST_CASE("an alias bomb of maps under headers: is not expanded") {
  std::string bomb =
      "  lol: [&m0 {a: lol, b: lol, c: lol, d: lol, e: lol, f: lol, g: lol, h: lol, i: lol}";
  for (int level = 1; level <= 12; ++level) {
    std::string previous = "*m" + std::to_string(level - 1);
    bomb += ", &m" + std::to_string(level) + " {";
    for (char key = 'a'; key <= 'i'; ++key)
      bomb += std::string(key == 'a' ? "" : ", ") + key + ": " + previous;
    bomb += "}";
  }
  std::string text = "version: 1\nname: hostile\nvars:\n" + bomb + "]\n" +
                     "steady_state:\n  probes:\n    - http: {url: \"http://x/\", headers: *m12}\n"
                     "faults: *m12\n";
  Refusal refusal = refuse(text);
  CHECK(
      refusal.all.find("probe 'http' param 'headers' 'a' must be a single value, not a mapping") !=
      std::string::npos);
  CHECK(refusal.all.find("faults must be a list, not a mapping") != std::string::npos);
}

TEST_CASE("a wide alias fan-out that the loader would visit is cut off by the node budget") {
  // 1100 aliases of a 2000-item list: small to parse, 2,200,000 arguments for the loader.
  // It stops at the budget, and what it then cannot read is not reported as missing.
  std::string text = std::string(kProbeAndFaultHead) + "vars:\n  big: &big [";
  for (int i = 0; i < 2000; ++i) text += i ? ",x" : "x";
  text += "]\nfaults:\n";
  for (int i = 0; i < 1100; ++i)
    text += "  - {name: f" + std::to_string(i) + ", type: exec, at: 1s, params: {inject: *big}}\n";
  Refusal refusal = refuse(text);
  std::vector<std::string> messages;
  for (const auto& diagnostic : refusal.load.diagnostics) messages.push_back(diagnostic.message);
  CHECK(messages ==
        std::vector<std::string>{
            "var 'big' has no default; pass --var big=VALUE",
            "var 'big' must be a value or {default, secret, description}",
            "plan expands to more than 200,000 nodes (through aliases?); refusing to read it"});
}

TEST_CASE("an alias to its own anchor is refused") {
  refuse("version: 1\nname: &a [*a]\n");
  refuse("version: 1\nname: *nowhere\n");
}

TEST_CASE("a huge number of keys gives the first hundred errors, quickly") {
  std::string text = "version: 1\nname: keys\n";
  for (int i = 0; i < 20000; ++i) text += "key" + std::to_string(i) + ": value\n";
  Refusal refusal = refuse(text);
  REQUIRE(refusal.load.diagnostics.size() == 101);
  CHECK(refusal.load.diagnostics[2].message == "unknown key 'key0' in the plan");
  CHECK(refusal.load.diagnostics.back().message == "and 19902 more errors, not shown");
}

TEST_CASE("more YAML nodes than any plan needs are refused before building them") {
  std::string text = "version: 1\nname: nodes\nfaults: [";
  for (int i = 0; i < 300000; ++i) text += "x,";
  text += "x]\n";
  Refusal refusal = refuse(text);
  REQUIRE(refusal.load.diagnostics.size() == 1);
  CHECK(refusal.load.diagnostics[0].message ==
        "plan has more than 50,000 YAML nodes; refusing to read it");
  CHECK(refusal.load.diagnostics[0].where.line == 3);
}

TEST_CASE("a file over the size limit is refused before it is parsed") {
  std::string nine_mib =
      "version: 1\nname: big\ndescription: \"" + std::string(9 * 1024 * 1024, 'x') + "\"\n";
  Refusal refusal = refuse(nine_mib);
  CHECK(refusal.all == "hostile.yaml:1:1: error: plan is " + std::to_string(nine_mib.size()) +
                           " bytes; the limit is " + std::to_string(kMaxPlanBytes) +
                           " bytes\n"
                           "version: 1\n"
                           "^\n");
  CHECK(refuse(std::string(kMaxPlanBytes + 1, '#'))
            .load.diagnostics.at(0)
            .message.find("the limit is") != std::string::npos);
}

TEST_CASE("files just under the size limit are refused or read in well under a second") {
  const size_t size = kMaxPlanBytes - 64;
  std::string comments = "version: 1\n";
  while (comments.size() < size) comments += "# a comment that goes on and on and on and on\n";
  CHECK(refuse(comments).load.diagnostics.at(0).message ==
        "the plan is missing required key 'name'");
  CHECK(refuse("version: 1\nname: " + std::string(size, 'a') + "\n")
            .load.diagnostics.back()
            .where.line == 2);
  CHECK(refuse("version: 1\nname: \"" + std::string(size, 'a') + "\"\n")
            .load.diagnostics.back()
            .where.line == 2);
  CHECK(refuse("version: 1\nname: x" + std::string(size, ' ') + "\n").load.diagnostics.size() == 2);
  std::string pairs = "version: 1\nname: pairs\nfaults: [";
  while (pairs.size() < size) pairs += "{a: b},";
  refuse(pairs + "x]\n");
  std::string anchors = "version: 1\nname: anchors\nvars:\n";
  for (int i = 0; anchors.size() < size; ++i)
    anchors += "  v" + std::to_string(i) + ": &a" + std::to_string(i) + " x\n";
  refuse(anchors);
}

TEST_CASE("a file of too many lines is refused before it is parsed") {
  Refusal refusal = refuse("version: 1\n" + std::string(200000, '\n') + "name: x\n");
  CHECK(
      refusal.all ==
      "hostile.yaml:100001:1: error: plan has more than 100000 lines; the limit is 100000\n\n^\n");
  // 100,000 lines, the last one ending in a newline, is within the limit.
  std::string at_limit = "version: 1\n" + std::string(99998, '\n') + "name: x\n";
  CHECK(refuse(at_limit).load.diagnostics.at(0).message ==
        "the plan is missing required key 'steady_state'");
}

TEST_CASE("a file of many documents is refused as one plan per file") {
  Refusal refusal = refuse("version: 1\nname: one\n---\nversion: 1\nname: two\n---\nversion: 1\n");
  CHECK(refusal.all ==
        "hostile.yaml:4:1: error: a plan file holds one YAML document; found 3\n"
        "version: 1\n"
        "^\n");
  std::string many;
  for (int i = 0; i < 100000; ++i) many += "---\n";
  refuse(many);
}

TEST_CASE("an unterminated quote is reported where the quoted text starts") {
  // yaml-cpp reads an unterminated quote to the end of the file as one value.
  Refusal refusal = refuse("version: 1\nname: \"web\nsteady_state: {}\n");
  CHECK(refusal.all.find(
            "hostile.yaml:2:7: error: plan name 'web steady_state: {} ' must be letters, digits, "
            "'.', '_' or '-' (up to 128)\n") != std::string::npos);
  Refusal single = refuse("version: 1\nname: 'web\n");
  CHECK(single.all.find("hostile.yaml:2:7: error: plan name 'web ' must be") != std::string::npos);
}

TEST_CASE("unterminated flow collections and stray indicators are YAML errors with a position") {
  CHECK(refuse("version: 1\nname: [a, b\n")
            .load.diagnostics.at(0)
            .message.rfind("invalid YAML: ", 0) == 0);
  CHECK(refuse("version: 1\nname: {a: b\n")
            .load.diagnostics.at(0)
            .message.rfind("invalid YAML: ", 0) == 0);
  CHECK(
      refuse("version: 1\n  name: x\n").load.diagnostics.at(0).message.rfind("invalid YAML: ", 0) ==
      0);
  CHECK(refuse("version: 1\nname: x\n]\n")
            .load.diagnostics.at(0)
            .message.rfind("invalid YAML: ", 0) == 0);
  CHECK(refuse("version: 1\nname: !!binary x\nsteady_state: {}\n").load.diagnostics.size() >= 1);
}

TEST_CASE("keys that are not plain names are refused") {
  Refusal refusal = refuse("version: 1\nname: x\n? [a, b]\n: c\n{a: b}: c\n");
  CHECK(refusal.all.find("hostile.yaml:3:3: error: keys in the plan must be plain names\n") !=
        std::string::npos);
}

TEST_CASE("a very long line is reported without echoing it") {
  std::string text =
      "version: 1\nname: x\nsteady_state: {" + std::string(5000, ' ') + "intervl: 1s}\n";
  Refusal refusal = refuse(text);
  std::string message =
      "hostile.yaml:3:5016: error: unknown key 'intervl' in steady_state, did you mean "
      "'interval'?\n";
  CHECK(refusal.all.find(message) != std::string::npos);
  CHECK(refusal.all.size() < 1000);
}

namespace {

// A fault `a` at 1s, then a fault `b` whose after: is `after` (line 11, column 12).
std::string plan_with_after(const std::string& after) {
  return std::string(kProbeAndFaultHead) +
         "faults:\n"
         "  - {name: a, type: exec, at: 1s, params: {inject: [true]}}\n"
         "  - name: b\n"
         "    type: exec\n"
         "    params: {inject: [true]}\n"
         "    after: " +
         after + "\n";
}

}  // namespace

TEST_CASE("a 30 KB after: value is refused at once, not a stack overflow") {
  const std::string name(30 * 1024, 'a');
  Refusal unknown = refuse(plan_with_after(name));
  REQUIRE(unknown.load.diagnostics.size() == 1);
  CHECK(unknown.load.diagnostics[0].message == "fault 'b' runs after unknown fault '" + name + "'");
  // Shortened to its two ends, and the 30 KB line is not echoed.
  CHECK(unknown.all == "hostile.yaml:11:12: error: fault 'b' runs after unknown fault '" +
                           std::string(114, 'a') + "[...]" + std::string(99, 'a') + "'\n");

  Refusal odd = refuse(plan_with_after(name + " - 1s"));
  CHECK(odd.load.diagnostics.at(0).message ==
        "fault 'b' after must be 'FAULT' or 'FAULT + DURATION', not '" + name + " - 1s'");
  Refusal spaces = refuse(plan_with_after("a +" + std::string(30 * 1024, ' ') + "1s x"));
  CHECK(spaces.load.diagnostics.at(0).where.line == 11);
  CHECK(spaces.load.diagnostics.at(0).message.rfind("fault 'b' after must be 'FAULT'", 0) == 0);
  Refusal long_delay = refuse(plan_with_after("a + " + std::string(30 * 1024, '1') + "s"));
  CHECK(long_delay.load.diagnostics.at(0).message ==
        "fault 'b' after: invalid duration '" + std::string(30 * 1024, '1') +
            "s': too large (write e.g. 250ms, 2s, 1m30s)");
}

TEST_CASE("an after: value as long as the size limit allows is refused at once") {
  std::string text = plan_with_after("");
  const std::string name(kMaxPlanBytes - text.size(), 'b');
  text = plan_with_after(name);
  REQUIRE(text.size() == kMaxPlanBytes);
  Refusal refusal = refuse(text);
  REQUIRE(refusal.load.diagnostics.size() == 1);
  CHECK(refusal.load.diagnostics[0].where.line == 11);
  CHECK(refusal.load.diagnostics[0].where.column == 12);
  CHECK(refusal.load.diagnostics[0].message == "fault 'b' runs after unknown fault '" + name + "'");
}

TEST_CASE("a 100 KB name is refused as not an identifier, at once") {
  const std::string name(100 * 1024, 'n');
  Refusal refusal = refuse("version: 1\nname: " + name + "\n");
  CHECK(refusal.load.diagnostics.back().message ==
        "plan name '" + name + "' must be letters, digits, '.', '_' or '-' (up to 128)");
  CHECK(refusal.all.find("hostile.yaml:2:7: error: plan name '" + std::string(139, 'n') + "[...]" +
                         std::string(46, 'n') +
                         "' must be letters, digits, '.', '_' or '-' (up to 128)\n") !=
        std::string::npos);
  std::string fault = plan_with_after("a");
  fault.replace(fault.find("name: b"), 7, "name: " + name);
  CHECK(refuse(fault).load.diagnostics.at(0).message ==
        "fault name '" + name + "' must be letters, digits, '.', '_' or '-' (up to 128)");
}

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <string_view>

#include "reports/json_fields.h"
#include "reports/junit_cases.h"
#include "reports/reports.h"
#include "reports/xml_text.h"
#include "runner/os/files.h"

// The document follows the JUnit format CI tools validate against: Ant's, as the
// "windyroad" JUnit.xsd writes it down, plus Jenkins' <skipped/>. tests/data/junit.xsd
// states the constraints we rely on, and the unit tests check each kind of record
// against it. Record fields are read with json_fields.h, which never throws.
namespace faultline {
namespace {

// The number in text[from, from + length), or -1 unless it is all digits.
int digits_at(const std::string& text, size_t from, size_t length) {
  if (from + length > text.size()) return -1;
  int number = 0;
  for (size_t i = from; i < from + length; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    number = number * 10 + (text[i] - '0');
  }
  return number;
}

bool is_real_date_time(const std::string& text) {
  using namespace std::chrono;
  int year = digits_at(text, 0, 4);
  year_month_day date{std::chrono::year(year), month(digits_at(text, 5, 2)),
                      day(digits_at(text, 8, 2))};
  return year >= 1 && date.ok() && digits_at(text, 11, 2) < 24 && digits_at(text, 14, 2) < 60 &&
         digits_at(text, 17, 2) < 60;
}

// JUnit's timestamp is a zone-less date and time in whole seconds; the record's
// started_at is UTC with a fraction ("2026-11-24T10:25:53.123Z"). Returns "" when the
// text is not such a time or names a moment that does not exist.
std::string junit_timestamp(const std::string& utc) {
  static constexpr std::string_view shape = "dddd-dd-ddTdd:dd:dd";
  if (utc.size() < shape.size()) return "";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == 'd' ? digits_at(utc, i, 1) < 0 : utc[i] != shape[i]) return "";
  }
  size_t end = shape.size();
  if (end < utc.size() && utc[end] == '.') {
    size_t first_digit = ++end;
    while (digits_at(utc, end, 1) >= 0) ++end;
    if (end == first_digit) return "";
  }
  if (end < utc.size() && utc[end] == 'Z') ++end;
  // An offset or anything else after it: not the record's UTC, so not ours to convert.
  if (end != utc.size() || !is_real_date_time(utc)) return "";
  return utc.substr(0, shape.size());
}

std::string property(const std::string& name, const std::string& value) {
  return fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml_escape(name),
                     xml_escape(value));
}

// A record field as a property value: strings as they are, anything else as JSON.
std::string property_text(const Json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.is_null() ? "" : json_text(value);
}

std::string properties(const Json& record) {
  std::string out = "    <properties>\n";
  for (const char* key : {"id", "verdict", "exit_code", "reason", "started_at"}) {
    out += property(key, property_text(field_of(record, key)));
  }
  out += property("plan_sha256", text_field(field_of(record, "plan"), "sha256", ""));
  // The testsuite's timestamp cannot carry a zone; this says which one it is in.
  out += property("timestamp_zone", "UTC");
  return out + "    </properties>\n";
}

std::string testcase(const Case& c) {
  std::string out = fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\"",
                                xml_escape(c.classname), xml_name(c.name, "unnamed"), c.seconds);
  std::string message = xml_escape(c.message);
  if (c.outcome == Outcome::passed) return out + "/>\n";
  if (c.outcome == Outcome::skipped) {
    return out + fmt::format(">\n      <skipped message=\"{}\"/>\n    </testcase>\n", message);
  }
  const char* tag = c.outcome == Outcome::failed ? "failure" : "error";
  return out + fmt::format(">\n      <{} message=\"{}\" type=\"{}\">{}</{}>\n    </testcase>\n",
                           tag, message, xml_escape(c.type), message, tag);
}

struct Counts {
  size_t tests = 0, failures = 0, errors = 0, skipped = 0;
};

Counts count(const std::vector<Case>& cases) {
  Counts counts{cases.size()};
  for (const auto& c : cases) {
    counts.failures += c.outcome == Outcome::failed;
    counts.errors += c.outcome == Outcome::error;
    counts.skipped += c.outcome == Outcome::skipped;
  }
  return counts;
}

std::string testsuite_attributes(const Json& record, const Counts& counts, double seconds) {
  // A started_at we cannot read leaves the epoch: the attribute is required, and the
  // started_at property still shows what the record holds.
  std::string timestamp = junit_timestamp(text_field(record, "started_at", ""));
  if (timestamp.empty()) timestamp = "1970-01-01T00:00:00";
  return fmt::format(
      "name=\"faultline.{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" "
      "time=\"{:.3f}\" timestamp=\"{}\" hostname=\"{}\" package=\"faultline\" id=\"0\"",
      xml_escape(plan_name(record)), counts.tests, counts.failures, counts.errors, counts.skipped,
      seconds, timestamp, xml_name(text_field(record, "host", ""), "localhost"));
}

}  // namespace

std::string junit_xml(const Json& record) {
  std::vector<Case> cases = junit_cases(record);
  Counts counts = count(cases);
  double seconds = seconds_of(record, "duration_ms");
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(
      "<testsuites name=\"faultline\" tests=\"{}\" failures=\"{}\" errors=\"{}\" "
      "time=\"{:.3f}\">\n",
      counts.tests, counts.failures, counts.errors, seconds);
  out += "  <testsuite " + testsuite_attributes(record, counts, seconds) + ">\n";
  out += properties(record);
  for (const auto& c : cases) out += testcase(c);
  // Empty, but the windyroad schema requires both after the test cases.
  out += "    <system-out/>\n    <system-err/>\n  </testsuite>\n</testsuites>\n";
  return out;
}

Status write_junit(const Json& record, const std::string& path) {
  std::string parent = std::filesystem::path(path).parent_path().string();
  if (!parent.empty()) {
    if (Status made = make_directories(parent); !made) {
      return made.error().with_context("JUnit report");
    }
  }
  if (Status written = write_file_atomically(path, junit_xml(record)); !written) {
    return written.error().with_context("JUnit report");
  }
  return {};
}

}  // namespace faultline

// Records and where they go: write_record, write_record_with_fallback and the checks a
// drill makes before it starts. The JUnit writer has its own file, junit_test.cc.
#include "reports/reports.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "runner/os/files.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

Json small_record() {
  return Json{{"schema", "faultline.record/v1"},
              {"id", "20261124T000000Z-demo-abcdef"},
              {"verdict", "passed"}};
}

size_t entries_in(const std::string& dir) {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++count;
  return count;
}

// A folder that exists but where no file can be created, even by root: procfs has no
// way to create files, so trying is harmless.
bool have_unwritable_folder() { return std::filesystem::is_directory("/proc/self"); }

}  // namespace

TEST_CASE("a record is written as <id>.json and reads back the same") {
  TempDir dir;
  Json record = small_record();
  auto path = write_record(record, dir.file("records/nested"));
  REQUIRE(path.ok());
  CHECK(*path == dir.file("records/nested/20261124T000000Z-demo-abcdef.json"));
  CHECK(Json::parse(*read_file(*path)) == record);
}

TEST_CASE("a record's id cannot lead its file out of the records folder") {
  TempDir dir;
  Json record = small_record();
  record["id"] = "../escaped";
  auto path = write_record(record, dir.file("records"));
  REQUIRE(path.ok());
  CHECK(*path == dir.file("records/.._escaped.json"));

  record["id"] = 42;  // not a string: written, under a name of its own
  path = write_record(record, dir.file("records"));
  REQUIRE(path.ok());
  CHECK(*path == dir.file("records/record.json"));
}

TEST_CASE("prepare_record_dir creates the folder and leaves nothing in it") {
  TempDir dir;
  REQUIRE(prepare_record_dir(dir.file("home/records")).ok());
  CHECK(std::filesystem::is_directory(dir.file("home/records")));
  CHECK(entries_in(dir.file("home/records")) == 0);
  CHECK(prepare_record_dir(dir.file("home/records")).ok());  // again: it exists already
}

TEST_CASE("prepare_record_dir says which folder cannot be created and why") {
  TempDir dir;
  std::string blocker = dir.write("a_file", "a file where a folder should be\n");
  Status status = prepare_record_dir(blocker + "/records");
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message ==
        "records folder: cannot create directory " + blocker + "/records: Not a directory");
}

TEST_CASE("prepare_record_dir says which folder is not writable and why") {
  if (!have_unwritable_folder()) {
    WARN("no /proc here: the unwritable-folder case is not checked");
    return;
  }
  Status status = prepare_record_dir("/proc");
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message ==
        "records folder /proc is not writable: No such file or directory");
}

TEST_CASE("check_junit_destination creates the parent folder and leaves no file behind") {
  TempDir dir;
  std::string path = dir.file("reports/ci/junit.xml");
  REQUIRE(check_junit_destination(path).ok());
  CHECK(std::filesystem::is_directory(dir.file("reports/ci")));
  CHECK(entries_in(dir.file("reports/ci")) == 0);
}

TEST_CASE("check_junit_destination never touches a file already at the path") {
  TempDir dir;
  std::string path = dir.write("junit.xml", "<old/>\n");
  ::chmod(path.c_str(), 0444);
  struct stat before {};
  REQUIRE(::stat(path.c_str(), &before) == 0);

  REQUIRE(check_junit_destination(path).ok());

  struct stat after {};
  REQUIRE(::stat(path.c_str(), &after) == 0);
  CHECK(*read_file(path) == "<old/>\n");
  CHECK(after.st_ino == before.st_ino);
  CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
  CHECK(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
  CHECK(after.st_mode == before.st_mode);
  CHECK(entries_in(dir.path()) == 1);
}

TEST_CASE("check_junit_destination refuses a folder") {
  TempDir dir;
  Status status = check_junit_destination(dir.path());
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message == "JUnit report path " + dir.path() + " is a folder, not a file");
  CHECK_FALSE(check_junit_destination(dir.file("not-yet/")).ok());
  CHECK(check_junit_destination("").error().message == "JUnit report path is empty");
}

TEST_CASE("check_junit_destination says why the parent folder cannot be made or written") {
  TempDir dir;
  std::string blocker = dir.write("a_file", "x\n");
  Status status = check_junit_destination(blocker + "/ci/junit.xml");
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message == "JUnit report path " + blocker +
                                      "/ci/junit.xml: cannot create directory " + blocker +
                                      "/ci: Not a directory");
  if (!have_unwritable_folder()) return;
  status = check_junit_destination("/proc/junit.xml");
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().message ==
        "JUnit report path /proc/junit.xml: folder /proc is not writable: No such file or "
        "directory");
}

TEST_CASE("write_record_with_fallback writes to the records folder when it can") {
  TempDir dir;
  std::string problem = "stale";
  auto path = write_record_with_fallback(small_record(), dir.file("records"), dir.file("fallback"),
                                         &problem);
  REQUIRE(path.ok());
  CHECK(*path == dir.file("records/20261124T000000Z-demo-abcdef.json"));
  CHECK(problem.empty());
  CHECK_FALSE(std::filesystem::exists(dir.file("fallback")));
}

TEST_CASE("write_record_with_fallback saves the record in the fallback and says why") {
  TempDir dir;
  std::string blocker = dir.write("a_file", "x\n");
  std::string problem;
  auto path = write_record_with_fallback(small_record(), blocker + "/records", dir.file("fallback"),
                                         &problem);
  REQUIRE(path.ok());
  CHECK(*path == dir.file("fallback/20261124T000000Z-demo-abcdef.json"));
  CHECK(Json::parse(*read_file(*path)) == small_record());
  CHECK(problem == "cannot write record to " + blocker + "/records: cannot create directory " +
                       blocker + "/records: Not a directory; saved it in " + dir.file("fallback") +
                       " instead");
}

TEST_CASE("write_record_with_fallback fails only when both folders fail, naming both") {
  TempDir dir;
  std::string blocker = dir.write("a_file", "x\n");
  std::string problem = "stale";
  auto path = write_record_with_fallback(small_record(), blocker + "/records",
                                         blocker + "/fallback", &problem);
  REQUIRE_FALSE(path.ok());
  CHECK(path.error().message ==
        "cannot write drill record to " + blocker + "/records: cannot create directory " + blocker +
            "/records: Not a directory; nor to " + blocker + "/fallback: cannot create directory " +
            blocker + "/fallback: Not a directory");
  CHECK(problem.empty());
}

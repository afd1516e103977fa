#include "runner/os/journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <thread>

#include "runner/os/files.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

mode_t mode_of(const std::string& path) {
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  return info.st_mode;
}

JournalAction action(const std::string& key, const std::string& type, Json rollback) {
  return JournalAction{key, type, "local", key, std::move(rollback), ""};
}

std::unique_ptr<Journal> new_journal(const TempDir& dir, const std::string& id) {
  auto journal = Journal::create(dir.path(), id, Json{{"plan", {{"name", "p"}}}}, {});
  REQUIRE(journal.ok());
  return std::move(*journal);
}

void append_raw(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  ::close(fd);
}

}  // namespace

TEST_CASE("the journal lists intents without a successful done, in order") {
  TempDir dir;
  auto journal = new_journal(dir, "drill-1");
  REQUIRE(journal->record_intent(action("fault/a", "exec", Json{{"x", 1}})).ok());
  REQUIRE(journal->record_intent(action("fault/b", "exec", Json{{"x", 2}})).ok());
  REQUIRE(journal->record_intent(action("fault/c", "exec", Json{{"x", 3}})).ok());
  REQUIRE(journal->record_intent(action("fault/d", "exec", Json{{"x", 4}})).ok());
  REQUIRE(journal->record_done("fault/b", JournalOutcome::undone).ok());
  REQUIRE(journal->record_done("fault/c", JournalOutcome::failed, "still broken").ok());
  REQUIRE(journal->record_done("fault/d", JournalOutcome::already_undone).ok());
  auto contents = journal->read();
  REQUIRE(contents.ok());
  REQUIRE(contents->pending.size() == 2);
  CHECK(contents->pending[0].key == "fault/a");
  CHECK(contents->pending[0].rollback["x"] == 1);
  CHECK(contents->pending[1].key == "fault/c");
  CHECK(contents->done.at("fault/d").outcome == JournalOutcome::already_undone);
  CHECK(contents->info["plan"]["name"] == "p");
  CHECK(contents->problems.empty());
}

TEST_CASE("a journal and its folder are private to the user running the drill") {
  TempDir dir;
  auto journal = Journal::create(dir.file("journal"), "drill-0", Json::object(), {"s3cr3t-value"});
  REQUIRE(journal.ok());
  struct stat info {};
  REQUIRE(::stat((*journal)->path().c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  REQUIRE(::stat(dir.file("journal").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0700);
  auto contents = (*journal)->read();
  REQUIRE(contents.ok());
  CHECK(contents->secrets == std::vector<std::string>{"s3cr3t-value"});
}

TEST_CASE("a live drill's journal cannot be claimed, a dead one's can") {
  TempDir dir;
  std::string path;
  {
    auto journal = new_journal(dir, "drill-2");
    path = journal->path();
    auto claimed = Journal::claim(path);
    REQUIRE_FALSE(claimed.ok());
    CHECK(claimed.error().is(ErrorCode::in_use));
  }
  // The owner closed its descriptor (as the kernel does for a dead runner).
  auto claimed = Journal::claim(path);
  CHECK(claimed.ok());
  CHECK(list_journals(dir.path()) == std::vector<std::string>{path});
}

TEST_CASE("claiming cuts off a torn last line, so the next line starts whole") {
  TempDir dir;
  std::string path;
  {
    auto journal = new_journal(dir, "drill-3");
    REQUIRE(journal->record_intent(action("fault/a", "process.pause", Json::object())).ok());
    path = journal->path();
  }
  std::string torn = "{\"op\":\"done\",\"key\":\"fault/a\",\"ok\":tr";
  append_raw(path, torn);
  auto claimed = Journal::claim(path);
  REQUIRE(claimed.ok());
  CHECK((*claimed)->repaired_bytes() == torn.size());
  // Without the repair this line would be glued to the torn one and lost.
  REQUIRE((*claimed)->record_done("fault/a", JournalOutcome::undone).ok());
  auto contents = (*claimed)->read();
  REQUIRE(contents.ok());
  CHECK(contents->pending.empty());
  CHECK(contents->problems.empty());
  REQUIRE((*claimed)->remove().ok());
  CHECK(list_journals(dir.path()).empty());
}

TEST_CASE("a malformed journal line is reported with its number and the rest still read") {
  TempDir dir;
  std::string path;
  {
    auto journal = new_journal(dir, "drill-4");
    path = journal->path();
  }
  append_raw(path,
             "not json at all\n"
             "{\"op\":\"intent\",\"key\":7,\"type\":\"exec\"}\n"
             "{\"op\":\"intent\",\"key\":\"fault/b\",\"type\":\"exec\",\"rollback\":{}}\n"
             "{\"op\":\"done\",\"key\":\"fault/b\",\"ok\":\"yes\"}\n");
  auto contents = parse_journal(path, *read_file(path));
  REQUIRE(contents.problems.size() == 2);
  CHECK(contents.problems[0] == "journal " + path +
                                    " line 2: not a JSON object (a torn or "
                                    "edited line?)");
  CHECK(contents.problems[1] == "journal " + path + " line 3: 'key' must be a string, not 7");
  // A done line whose ok is not a boolean does not count as undone.
  REQUIRE(contents.pending.size() == 1);
  CHECK(contents.pending[0].key == "fault/b");
}

TEST_CASE("appends from many threads never tear a line") {
  TempDir dir;
  auto journal = new_journal(dir, "drill-5");
  std::string padding(5000, 'x');  // several writes' worth per line if unserialized
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        std::string key = "fault/" + std::to_string(t) + "-" + std::to_string(i);
        REQUIRE(journal->record_intent(action(key, "exec", Json{{"pad", padding}})).ok());
      }
    });
  }
  for (auto& writer : writers) writer.join();
  auto contents = journal->read();
  REQUIRE(contents.ok());
  CHECK(contents->problems.empty());
  CHECK(contents->intents.size() == 160);
}

TEST_CASE("atomic writes replace the whole file and leave no temp file behind") {
  TempDir dir;
  std::string path = dir.file("record.json");
  REQUIRE(write_file_atomically(path, "first").ok());
  REQUIRE(write_file_atomically(path, "second").ok());
  CHECK(*read_file(path) == "second");
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path()))
    ++entries;
  CHECK(entries == 1);
  Status refused = write_file_atomically(dir.file("missing-dir/record.json"), "x");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message.find("cannot create") != std::string::npos);
}

TEST_CASE("making a private folder never changes the mode of one that exists") {
  TempDir dir;
  std::string shared = dir.file("shared");
  REQUIRE(::mkdir(shared.c_str(), 0755) == 0);
  ::chmod(shared.c_str(), 01777);  // as /tmp is

  REQUIRE(make_directories(shared, 0700).ok());
  CHECK((mode_of(shared) & 07777) == 01777);

  std::string fresh = shared + "/a/b/journal";
  REQUIRE(make_directories(fresh, 0700).ok());
  CHECK((mode_of(fresh) & 07777) == 0700);
  CHECK((mode_of(shared + "/a") & 0700) == 0700);  // parents as mkdir -p makes them
  CHECK((mode_of(shared) & 07777) == 01777);

  REQUIRE(write_file_atomically(dir.file("plain"), "x").ok());
  auto blocked = make_directories(dir.file("plain") + "/sub", 0700);
  REQUIRE_FALSE(blocked.ok());
  CHECK_THAT(blocked.error().message, Catch::Contains("Not a directory"));
}

#include "runner/core/journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "runner/core/files.h"
#include "tests/support/test_support.h"

using namespace faultline;
using namespace faultline::testing;

TEST_CASE("the journal lists intents without a successful done, in order") {
  TempDir dir;
  auto journal = Journal::create(dir.path(), "drill-1", "plan");
  REQUIRE(journal.ok());
  REQUIRE(journal->record_intent({"fault/a", "exec", "local", "a", Json{{"x", 1}}}).ok());
  REQUIRE(journal->record_intent({"fault/b", "exec", "local", "b", Json{{"x", 2}}}).ok());
  REQUIRE(journal->record_intent({"fault/c", "exec", "local", "c", Json{{"x", 3}}}).ok());
  REQUIRE(journal->record_done("fault/b", true).ok());
  REQUIRE(journal->record_done("fault/c", false, "still broken").ok());
  auto pending = journal->pending();
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 2);
  CHECK((*pending)[0].key == "fault/a");
  CHECK((*pending)[0].rollback["x"] == 1);
  CHECK((*pending)[1].key == "fault/c");
}

TEST_CASE("a live drill's journal cannot be claimed; a dead one's can") {
  TempDir dir;
  std::string path;
  {
    auto journal = Journal::create(dir.path(), "drill-2", "plan");
    REQUIRE(journal.ok());
    path = journal->path();
    auto claimed = Journal::claim(path);
    REQUIRE_FALSE(claimed.ok());
    CHECK(Journal::claim_error_in_use(claimed.error()));
  }
  // The owner closed its descriptor (as the kernel does for a dead runner).
  auto claimed = Journal::claim(path);
  CHECK(claimed.ok());
  CHECK(list_journals(dir.path()) == std::vector<std::string>{path});
}

TEST_CASE("a torn last line, as a runner killed mid-write leaves, is skipped") {
  TempDir dir;
  std::string path;
  {
    auto journal = Journal::create(dir.path(), "drill-3", "plan");
    REQUIRE(journal.ok());
    REQUIRE(
        journal->record_intent({"fault/a", "process.pause", "local", "a", Json::object()}).ok());
    path = journal->path();
  }
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND);
  REQUIRE(fd >= 0);
  std::string torn = "{\"op\":\"done\",\"key\":\"fault/a\",\"ok\":tr";
  REQUIRE(::write(fd, torn.data(), torn.size()) == static_cast<ssize_t>(torn.size()));
  ::close(fd);
  auto claimed = Journal::claim(path);
  REQUIRE(claimed.ok());
  auto pending = claimed->pending();
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].type == "process.pause");
  REQUIRE(claimed->remove().ok());
  CHECK(list_journals(dir.path()).empty());
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

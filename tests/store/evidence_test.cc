// Evidence bundles, against each backend: `records export` writes the ledger (or the part
// appended since a date) as a tar.gz that `records verify --bundle` checks with no store
// at all; an edited, dropped, reordered or added file or entry is named, exit 1; what is
// not a bundle is refused, exit 2.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <functional>
#include <thread>

#include "reports/store/ledger_entries.h"
#include "runner/core/sha256.h"
#include "runner/core/time.h"
#include "runner/os/subprocess.h"
#include "runner/os/tar_archive.h"
#include "tests/store/store_fixture.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

const std::string kKey = "bundle-test-key";

void append_record(RecordStore& store, int i, const std::string& key) {
  std::string id = fmt::format("2026110{}T100000Z-web-00000{}", i, i);
  Json record = sample_record(id, "web", i == 2 ? "failed" : "passed",
                              fmt::format("2026-11-0{}T10:00:00.000Z", i));
  REQUIRE(store.append(record_entry(record), key).ok());
}

CliRun verify_bundle(const std::string& bundle, std::vector<std::string> more = {},
                     const std::map<std::string, std::string>& env = {}) {
  std::vector<std::string> args{"records", "verify", "--bundle", bundle};
  args.insert(args.end(), more.begin(), more.end());
  // No --store and an empty home: the bundle is all there is.
  return run_cli_env(args, "", env);
}

std::vector<ArchiveFile> files_of(const std::string& bundle) {
  auto files = read_tar_gz(bundle);
  REQUIRE(files.ok());
  return *files;
}

ArchiveFile& member(std::vector<ArchiveFile>& files, const std::string& prefix) {
  for (auto& file : files) {
    if (file.path.rfind(prefix, 0) == 0) return file;
  }
  FAIL("no member " << prefix);
  throw;
}

// What a careful tamperer does next: the manifest's SHA-256s made to match again.
void refresh_manifest(std::vector<ArchiveFile>& files) {
  ArchiveFile& manifest_file = member(files, "manifest.json");
  Json manifest = Json::parse(manifest_file.content);
  for (auto& listed : manifest["files"]) {
    for (const auto& file : files) {
      if (file.path == listed["path"]) listed["sha256"] = sha256_hex(file.content);
    }
  }
  manifest_file.content = json_text(manifest, 2);
}

// The manifest's file list without the files whose path starts with `prefix`.
void unlist(Json& manifest, const std::string& prefix) {
  Json kept = Json::array();
  for (const auto& file : manifest["files"]) {
    if (file["path"].get<std::string>().rfind(prefix, 0) != 0) kept.push_back(file);
  }
  manifest["files"] = kept;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  for (size_t start = 0; start < text.size();) {
    size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  return text;
}

}  // namespace

TEST_CASE("an evidence bundle verifies without the store and names what was tampered with") {
  TempDir dir;
  TestStore test_store(dir);
  {
    auto store = test_store.open();
    for (int i = 1; i <= 3; ++i) append_record(*store, i, kKey);
    Review review{
        "20261102T100000Z-web-000002",     "web",         "auditor", "2026-11-03T09:00:00.000Z",
        {"failover needed a manual step"}, "automate it", "alice",   "2026-12-01"};
    REQUIRE(store->append(review_entry(review), kKey).ok());
  }
  std::map<std::string, std::string> with_key{{"FAULTLINE_LEDGER_KEY", kKey}};
  std::string bundle = dir.file("evidence.tar.gz");
  CliRun exported = run_cli_env({"records", "export", "-o", bundle, "--store",
                                 test_store.location(), "--operator", "auditor"},
                                "", with_key);
  INFO(exported.out << exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK(mentions(exported.out, "ledger ok: 4 entries, chain intact, signatures checked"));
  CHECK(mentions(exported.out, "exported ledger entries 1 to 4 (4 entries, 9 files) to " + bundle));

  std::vector<ArchiveFile> files = files_of(bundle);
  std::vector<std::string> paths;
  for (const auto& file : files) paths.push_back(file.path);
  CHECK(paths == std::vector<std::string>{
                     "manifest.json", "records/1-20261101T100000Z-web-000001.json",
                     "records/2-20261102T100000Z-web-000002.json",
                     "records/3-20261103T100000Z-web-000003.json", "reviews/4.json", "ledger.jsonl",
                     "verification.json", "verification.txt", "README.txt"});
  CHECK_FALSE(mentions(member(files, "manifest.json").content, kKey));
  Json first = Json::parse(member(files, "records/1-").content);
  CHECK(first["id"] == "20261101T100000Z-web-000001");

  CliRun ok = verify_bundle(bundle, {}, with_key);
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(mentions(ok.out,
                 "bundle ok: 4 entries (ledger entries 1 to 4), every file as the "
                 "manifest lists it, chain intact, signatures checked"));
  std::string head = Json::parse(member(files, "manifest.json").content)["head"];
  CHECK(mentions(ok.out, "head " + head));
  CHECK(verify_bundle(bundle, {"--head", head}).exit_code == 0);
  CliRun unsigned_check = verify_bundle(bundle);
  CHECK(unsigned_check.exit_code == 0);
  CHECK(mentions(unsigned_check.out, "signatures not checked (no key)"));

  CliRun wrong_key = verify_bundle(bundle, {}, {{"FAULTLINE_LEDGER_KEY", "wrong-key-42"}});
  INFO(wrong_key.out);
  CHECK(wrong_key.exit_code == 1);
  CHECK(mentions(wrong_key.out, "TAMPERED: manifest.json has a signature that does not match"));
  CHECK(mentions(wrong_key.out,
                 "has a signature that does not match: it was edited, or written "
                 "with another key"));
  CliRun wrong_head = verify_bundle(bundle, {"--head", std::string(64, 'b')});
  CHECK(wrong_head.exit_code == 1);
  CHECK(mentions(wrong_head.out, "given as the head: the entries up to it were cut off"));

  struct Tamper {
    std::string what;
    std::function<void(std::vector<ArchiveFile>&)> change;
    std::vector<std::string> named;
  };
  std::vector<Tamper> tampers{
      {"a record edited inside",
       [](auto& files) {
         ArchiveFile& record = member(files, "records/2-");
         Json body = Json::parse(record.content);
         body["verdict"] = "passed";
         record.content = json_text(body);
       },
       {"TAMPERED: records/2-20261102T100000Z-web-000002.json does not match the SHA-256 the "
        "manifest lists: it was changed after export",
        "TAMPERED: entry 2 (record 20261102T100000Z-web-000002) was edited: its content does "
        "not match its hash"}},
      {"a record edited and the manifest made to match",
       [](auto& files) {
         ArchiveFile& record = member(files, "records/2-");
         record.content.replace(record.content.find("failed"), 6, "passed");
         refresh_manifest(files);
       },
       {"TAMPERED: entry 2 (record 20261102T100000Z-web-000002) was edited: its content does "
        "not match its hash"}},
      {"a record dropped",
       [](auto& files) {
         std::erase_if(files,
                       [](const ArchiveFile& f) { return f.path.rfind("records/2-", 0) == 0; });
       },
       {"TAMPERED: records/2-20261102T100000Z-web-000002.json is listed in the manifest but "
        "missing from the bundle: it was removed",
        "TAMPERED: entry 2 (record 20261102T100000Z-web-000002): its file "
        "records/2-20261102T100000Z-web-000002.json is missing from the bundle"}},
      {"an entry dropped with its record, the manifest made to match",
       [](auto& files) {
         std::erase_if(files,
                       [](const ArchiveFile& f) { return f.path.rfind("records/2-", 0) == 0; });
         ArchiveFile& ledger = member(files, "ledger.jsonl");
         auto lines = lines_of(ledger.content);
         lines.erase(lines.begin() + 1);
         ledger.content = joined(lines);
         Json manifest = Json::parse(member(files, "manifest.json").content);
         manifest["entries"] = 3;
         unlist(manifest, "records/2-");
         member(files, "manifest.json").content = json_text(manifest);
         refresh_manifest(files);
       },
       {"TAMPERED: entry 2 is missing: it was deleted"}},
      {"ledger lines swapped",
       [](auto& files) {
         ArchiveFile& ledger = member(files, "ledger.jsonl");
         auto lines = lines_of(ledger.content);
         std::swap(lines[1], lines[2]);
         ledger.content = joined(lines);
         refresh_manifest(files);
       },
       {"TAMPERED: ledger.jsonl line 3 holds entry 2 after entry 3: its lines were reordered"}},
      {"entries reordered and renumbered",
       [](auto& files) {
         ArchiveFile& ledger = member(files, "ledger.jsonl");
         auto lines = lines_of(ledger.content);
         Json second = Json::parse(lines[1]), third = Json::parse(lines[2]);
         std::swap(second["seq"], third["seq"]);
         lines[1] = json_text(third);
         lines[2] = json_text(second);
         ledger.content = joined(lines);
         refresh_manifest(files);
       },
       {"TAMPERED: entry 2 (record 20261103T100000Z-web-000003) follows entry 3 in the chain but "
        "is stored before it: the entries were reordered"}},
      {"a file added",
       [](auto& files) {
         files.push_back({"records/9-forged.json", "{}"});
       },
       {"TAMPERED: records/9-forged.json is in the bundle but not in its manifest: it was added"}},
  };
  for (const auto& tamper : tampers) {
    std::vector<ArchiveFile> changed = files_of(bundle);
    tamper.change(changed);
    std::string path = dir.file("tampered.tar.gz");
    REQUIRE(write_tar_gz(path, changed).ok());
    CliRun run = verify_bundle(path, {}, with_key);
    INFO(tamper.what << "\n" << run.out << run.err);
    CHECK(run.exit_code == 1);
    CHECK(mentions(run.out, "bundle NOT intact:"));
    for (const auto& named : tamper.named) CHECK(mentions(run.out, named));
  }

  // Not a bundle at all: exit 2, saying why.
  std::string cut = dir.write("cut.tar.gz", text_of(bundle).substr(0, 100));
  std::string other = dir.file("other.tar.gz");
  REQUIRE(write_tar_gz(other, {{"notes.txt", "hello"}}).ok());
  std::string escaping = dir.file("escaping.tar");
  REQUIRE(run_command(Command({"python3", "-c",
                               "import tarfile,io,sys\n"
                               "t=tarfile.open(sys.argv[1],'w')\n"
                               "i=tarfile.TarInfo('../manifest.json'); i.size=2\n"
                               "t.addfile(i, io.BytesIO(b'{}'))\n"
                               "l=tarfile.TarInfo('ledger.jsonl'); l.type=tarfile.SYMTYPE; "
                               "l.linkname='/etc/passwd'\nt.addfile(l)\nt.close()",
                               escaping}),
                      Millis(10000))
              ->exit_code == 0);
  for (const auto& [path, says] : std::vector<std::pair<std::string, std::string>>{
           {cut, "cannot read " + cut},
           {other, "no manifest.json: not a faultline evidence bundle"},
           {escaping, "member '../manifest.json' has an unsafe path"},
           {dir.file("missing.tar.gz"), "missing.tar.gz"}}) {
    CliRun run = verify_bundle(path);
    INFO(path << "\n" << run.out << run.err);
    CHECK(run.exit_code == 2);
    CHECK(mentions(run.err, says));
  }
}

TEST_CASE("an evidence bundle of the entries since a date verifies from its anchor") {
  TempDir dir;
  TestStore test_store(dir);
  std::string since;
  {
    auto store = test_store.open();
    append_record(*store, 1, kKey);
    append_record(*store, 2, kKey);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    since = utc_iso8601(WallClock::now());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    append_record(*store, 3, kKey);
    append_record(*store, 4, kKey);
  }
  std::map<std::string, std::string> with_key{{"FAULTLINE_LEDGER_KEY", kKey}};
  std::string bundle = dir.file("since.tar.gz");
  CliRun exported = run_cli_env(
      {"records", "export", "--since", since, "-o", bundle, "--store", test_store.location()}, "",
      with_key);
  INFO(exported.out << exported.err);
  REQUIRE(exported.exit_code == 0);
  CHECK(mentions(exported.out, "exported ledger entries 3 to 4 (2 entries"));
  CliRun ok = verify_bundle(bundle, {}, with_key);
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(mentions(ok.out, "bundle ok: 2 entries (ledger entries 3 to 4)"));

  // Cutting the first entry off and moving the anchor is seen by the key (the manifest is
  // signed), though the rest of the chain still links.
  std::vector<ArchiveFile> files = files_of(bundle);
  ArchiveFile& ledger = member(files, "ledger.jsonl");
  auto lines = lines_of(ledger.content);
  Json dropped = Json::parse(lines[0]);
  lines.erase(lines.begin());
  ledger.content = joined(lines);
  std::erase_if(files, [](const ArchiveFile& f) { return f.path.rfind("records/3-", 0) == 0; });
  Json manifest = Json::parse(member(files, "manifest.json").content);
  manifest["first_seq"] = 4;
  manifest["entries"] = 1;
  manifest["anchor"] = dropped["hash"];
  unlist(manifest, "records/3-");
  member(files, "manifest.json").content = json_text(manifest);
  refresh_manifest(files);
  std::string cut = dir.file("cut.tar.gz");
  REQUIRE(write_tar_gz(cut, files).ok());
  CliRun caught = verify_bundle(cut, {}, with_key);
  INFO(caught.out << caught.err);
  CHECK(caught.exit_code == 1);
  CHECK(mentions(caught.out, "TAMPERED: manifest.json has a signature that does not match"));

  CliRun none = run_cli_env({"records", "export", "--since", "2100-01-01", "-o",
                             dir.file("none.tar.gz"), "--store", test_store.location()},
                            "", {});
  CHECK(none.exit_code == 2);
  CHECK(mentions(none.err, "was appended since 2100-01-01T00:00:00.000Z"));
}

#include "reports/store/evidence.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "faultline_version.h"
#include "runner/core/sha256.h"

namespace faultline {
namespace {

constexpr const char* kFormat = "faultline.evidence/v1";

std::string body_file_of(const LedgerEntry& entry) {
  if (entry.kind == "record") {
    std::string id = entry.subject;
    for (char& c : id) {
      if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20) c = '_';
    }
    if (id.empty() || id == "." || id == "..") id = "record";
    return fmt::format("records/{}-{}.json", entry.seq, id);
  }
  if (entry.kind == "review") return fmt::format("reviews/{}.json", entry.seq);
  if (entry.kind == "action_closed") return fmt::format("closings/{}.json", entry.seq);
  return fmt::format("entries/{}.json", entry.seq);
}

Json entry_line(const LedgerEntry& entry, const std::string& body_file) {
  return Json{{"seq", entry.seq},
              {"kind", entry.kind},
              {"subject", entry.subject},
              {"plan", entry.plan},
              {"verdict", entry.verdict},
              {"started_at", entry.started_at},
              {"appended_at", entry.appended_at},
              {"summary", entry.summary},
              {"body_sha256", entry.body_sha256},
              {"prev_hash", entry.prev_hash},
              {"hash", entry.hash},
              {"mac", entry.mac},
              {"body_file", body_file}};
}

// The manifest's signature: HMAC-SHA-256 of its canonical text without the signature.
std::string manifest_signature(Json manifest, const std::string& key) {
  manifest.erase("signature");
  return hmac_sha256_hex(key, json_text(manifest));
}

const char* kReadme =
    "A faultline evidence bundle: drill records, post-drill reviews and closings of\n"
    "corrective actions, as entries of a hash-chained ledger (ledger.jsonl, in order).\n"
    "Check it, on any machine with faultline, without the record store:\n\n"
    "  faultline records verify --bundle THIS.tar.gz [--head HASH] [--key-file KEY]\n\n"
    "--head: the head hash noted when the ledger was last checked; --key-file: the ledger\n"
    "key, to check every signature. verification.txt is what the store's own check said at\n"
    "export; manifest.json lists every file's SHA-256.\n";

}  // namespace

Result<Export> export_evidence(RecordStore& store, const ExportRequest& request,
                               const LedgerVerification& verification,
                               const std::string& verification_text) {
  Export out;
  std::string ledger_lines, anchor, head;
  bool started = false;
  Status scanned = store.scan(EntryQuery{}, [&](const LedgerEntry& entry) {
    if (!started && !request.since.empty() && entry.appended_at < request.since) return true;
    if (!started) {
      started = true;
      out.first_seq = entry.seq;
      anchor = entry.prev_hash;
    }
    std::string body_file = body_file_of(entry);
    ledger_lines += json_text(entry_line(entry, body_file)) + "\n";
    out.files.push_back({body_file, entry.body});
    out.last_seq = entry.seq;
    head = entry.hash;
    ++out.entries;
    return true;
  });
  if (!scanned) return scanned.error();
  if (out.entries == 0) {
    return Error(ErrorCode::not_found,
                 fmt::format("no ledger entry in {} was appended since {}", store.describe(),
                             request.since.empty() ? "the beginning" : request.since));
  }
  Json problems = Json::array();
  for (const auto& problem : verification.problems) {
    problems.push_back(Json{{"seq", problem.seq}, {"what", problem.what}});
  }
  out.files.push_back({"ledger.jsonl", ledger_lines});
  out.files.push_back(
      {"verification.json", json_text(Json{{"checked_at", request.exported_at},
                                           {"store", store.describe()},
                                           {"entries", verification.entries},
                                           {"signed_entries", verification.signed_entries},
                                           {"signatures_checked", !request.key.empty()},
                                           {"head", verification.head},
                                           {"ok", verification.ok()},
                                           {"problems", problems}},
                                      2) +
                                "\n"});
  out.files.push_back({"verification.txt", verification_text});
  out.files.push_back({"README.txt", kReadme});
  Json listed = Json::array();
  for (const auto& file : out.files) {
    listed.push_back(Json{{"path", file.path}, {"sha256", sha256_hex(file.content)}});
  }
  Json manifest{{"format", kFormat},
                {"faultline_version", FAULTLINE_VERSION},
                {"exported_at", request.exported_at},
                {"exported_by", request.exported_by},
                {"store", store.describe()},
                {"since", request.since.empty() ? Json(nullptr) : Json(request.since)},
                {"first_seq", out.first_seq},
                {"last_seq", out.last_seq},
                {"entries", out.entries},
                {"anchor", anchor},
                {"head", head},
                {"files", listed},
                {"signature", nullptr}};
  if (!request.key.empty()) manifest["signature"] = manifest_signature(manifest, request.key);
  out.files.insert(out.files.begin(), {"manifest.json", json_text(manifest, 2) + "\n"});
  return out;
}

namespace {

// Reads one ledger.jsonl line into an entry; false when it is not one.
bool read_entry_line(const std::string& line, LedgerEntry& entry, std::string& body_file) {
  Json json = Json::parse(line, nullptr, false);
  if (!json.is_object()) return false;
  auto text = [&](const char* key, std::string& into) {
    auto found = json.find(key);
    if (found == json.end() || !found->is_string()) return false;
    into = found->get<std::string>();
    return true;
  };
  auto seq = json.find("seq");
  if (seq == json.end() || !seq->is_number_integer()) return false;
  entry.seq = seq->get<int64_t>();
  return text("kind", entry.kind) && text("subject", entry.subject) && text("plan", entry.plan) &&
         text("verdict", entry.verdict) && text("started_at", entry.started_at) &&
         text("appended_at", entry.appended_at) && text("summary", entry.summary) &&
         text("body_sha256", entry.body_sha256) && text("prev_hash", entry.prev_hash) &&
         text("hash", entry.hash) && text("mac", entry.mac) && text("body_file", body_file);
}

int64_t integer_field(const Json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_number_integer() ? found->get<int64_t>() : -1;
}

std::string string_field(const Json& object, const char* key) {
  auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

}  // namespace

Result<BundleVerification> verify_evidence(const std::vector<ArchiveFile>& files,
                                           const VerifyOptions& options) {
  std::map<std::string, const std::string*> by_path;
  for (const auto& file : files) by_path[file.path] = &file.content;
  auto manifest_file = by_path.find("manifest.json");
  if (manifest_file == by_path.end()) {
    return Error(ErrorCode::invalid, "it has no manifest.json: not a faultline evidence bundle");
  }
  BundleVerification out;
  out.manifest = Json::parse(*manifest_file->second, nullptr, false);
  if (!out.manifest.is_object() || string_field(out.manifest, "format") != kFormat) {
    return Error(ErrorCode::invalid, std::string("its manifest.json is not a ") + kFormat +
                                         " manifest: not a faultline evidence bundle, or edited");
  }
  auto problem = [&](std::string what) { out.problems.push_back(std::move(what)); };
  const Json& manifest = out.manifest;

  // Every file as the manifest lists it, and nothing else.
  std::set<std::string> listed{"manifest.json"};
  auto list = manifest.find("files");
  if (list == manifest.end() || !list->is_array())
    problem("manifest.json lists no files");
  else {
    for (const auto& item : *list) {
      std::string path = string_field(item, "path");
      listed.insert(path);
      auto found = by_path.find(path);
      if (found == by_path.end()) {
        problem(
            fmt::format("{} is listed in the manifest but missing from the bundle: it was "
                        "removed",
                        path));
      } else if (sha256_hex(*found->second) != string_field(item, "sha256")) {
        problem(
            fmt::format("{} does not match the SHA-256 the manifest lists: it was changed "
                        "after export",
                        path));
      }
    }
  }
  for (const auto& file : files) {
    if (!listed.count(file.path)) {
      problem(file.path + " is in the bundle but not in its manifest: it was added");
    }
  }
  if (!options.key.empty()) {
    std::string signature = string_field(manifest, "signature");
    if (signature.empty())
      problem("manifest.json is not signed: it was exported without the ledger key");
    else if (manifest_signature(manifest, options.key) != signature) {
      problem(
          "manifest.json has a signature that does not match: it was edited, or signed with "
          "another key");
    }
  }

  // The entries, from ledger.jsonl in the order it gives, with their bodies.
  std::vector<LedgerEntry> entries;
  std::set<int64_t> missing_bodies;
  auto ledger = by_path.find("ledger.jsonl");
  if (ledger == by_path.end()) {
    problem("ledger.jsonl is missing: the bundle holds no ledger");
  } else {
    size_t line_number = 0, start = 0;
    const std::string& text = *ledger->second;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      start = end + 1;
      ++line_number;
      LedgerEntry entry;
      std::string body_file;
      if (!read_entry_line(line, entry, body_file)) {
        problem(fmt::format("ledger.jsonl line {} is not a ledger entry", line_number));
        continue;
      }
      auto body = by_path.find(body_file);
      if (body == by_path.end()) {
        missing_bodies.insert(entry.seq);
        problem(
            fmt::format("entry {} ({} {}): its file {} is missing from the bundle: it was "
                        "removed",
                        entry.seq, entry.kind, entry.subject, body_file));
        entry.body = "";
        entry.body_sha256 = sha256_hex("");  // named above; not again as an edit
      } else {
        entry.body = *body->second;
      }
      entries.push_back(std::move(entry));
    }
  }

  // The chain is checked in seq order; lines out of that order are named here.
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].seq < entries[i - 1].seq) {
      problem(
          fmt::format("ledger.jsonl line {} holds entry {} after entry {}: its lines were "
                      "reordered",
                      i + 1, entries[i].seq, entries[i - 1].seq));
    }
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const LedgerEntry& a, const LedgerEntry& b) { return a.seq < b.seq; });
  VerifyOptions chain = options;
  int64_t first_seq = integer_field(manifest, "first_seq");
  chain.after_seq = first_seq > 0 ? first_seq - 1 : 0;
  std::string anchor = string_field(manifest, "anchor");
  chain.after_hash = anchor == kGenesisHash ? "" : anchor;
  out.ledger = verify_entries(entries, chain);
  // A missing body changes the hash the entry should carry: already named above.
  std::erase_if(out.ledger.problems, [&](const LedgerProblem& p) {
    return missing_bodies.count(p.seq) && p.what.find("was edited") != std::string::npos;
  });

  int64_t count = integer_field(manifest, "entries");
  if (count >= 0 && count != static_cast<int64_t>(entries.size())) {
    problem(fmt::format("the manifest says {} entries but ledger.jsonl holds {}", count,
                        entries.size()));
  }
  int64_t last_seq = integer_field(manifest, "last_seq");
  if (!entries.empty() && (entries.front().seq != first_seq || entries.back().seq != last_seq)) {
    problem(fmt::format("the manifest says entries {} to {} but ledger.jsonl runs from {} to {}",
                        first_seq, last_seq, entries.front().seq, entries.back().seq));
  }
  std::string head = string_field(manifest, "head");
  if (!entries.empty() && head != entries.back().hash) {
    problem(
        "the last entry's hash is not the head the manifest names: the ledger was cut "
        "short or extended after export");
  }
  return out;
}

}  // namespace faultline

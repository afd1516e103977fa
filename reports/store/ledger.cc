#include "reports/store/ledger.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <unordered_map>

#include "runner/core/json.h"
#include "runner/core/secrets.h"
#include "runner/core/sha256.h"
#include "runner/os/files.h"

namespace faultline {

std::string entry_hash(const LedgerEntry& entry) {
  Json fields = Json::array({entry.kind, entry.subject, entry.plan, entry.verdict, entry.started_at,
                             entry.appended_at, entry.summary, entry.body_sha256, entry.prev_hash});
  return sha256_hex(json_text(fields));
}

void seal_entry(LedgerEntry& entry, const std::string& prev_hash, const std::string& key) {
  entry.body_sha256 = sha256_hex(entry.body);
  entry.prev_hash = prev_hash;
  entry.hash = entry_hash(entry);
  entry.mac = key.empty() ? "" : hmac_sha256_hex(key, entry.hash);
}

Result<std::string> resolve_ledger_key(const std::string& key_file) {
  std::string key;
  if (!key_file.empty()) {
    auto text = read_regular_file(key_file, 64 * 1024, "ledger key file");
    if (!text) return text.error();
    key = *text;
    if (!key.empty() && key.back() == '\n') key.pop_back();
    if (key.empty()) return Error{ErrorCode::invalid, "ledger key file " + key_file + " is empty"};
  } else if (const char* value = std::getenv("FAULTLINE_LEDGER_KEY"); value && *value) {
    key = value;
  }
  if (!key.empty()) register_secret(key);
  return key;
}

namespace {

std::string describe_entry(const LedgerEntry& entry) {
  if (entry.kind == "record") return fmt::format("entry {} (record {})", entry.seq, entry.subject);
  return fmt::format("entry {} ({} of {})", entry.seq, entry.kind, entry.subject);
}

// Checks entries one at a time, in seq order; links that do not hold are explained at
// the end, when every entry's hash is known (a reordered entry points forward).
class Verifier {
 public:
  explicit Verifier(const VerifyOptions& options)
      : options_(options), previous_seq_(options.after_seq), previous_hash_(options.after_hash) {}

  void check(const LedgerEntry& entry) {
    ++result_.entries;
    if (!entry.mac.empty()) ++result_.signed_entries;
    std::string name = describe_entry(entry);
    if (sha256_hex(entry.body) != entry.body_sha256) {
      problem(entry.seq, name + " was edited: its content does not match its hash");
    }
    if (entry_hash(entry) != entry.hash) {
      problem(entry.seq, name + " was edited: its fields do not match its hash");
    }
    if (!options_.key.empty()) {
      if (entry.mac.empty()) {
        problem(entry.seq, name + " is not signed: it was written without the ledger key");
      } else if (hmac_sha256_hex(options_.key, entry.hash) != entry.mac) {
        problem(entry.seq, name +
                               " has a signature that does not match: it was edited, or written "
                               "with another key");
      }
    }
    if (result_.entries == 1) {
      first_seq_ = entry.seq;
      first_is_genesis_ = entry.prev_hash == kGenesisHash;
    }
    int64_t expected_seq = previous_seq_ + 1;
    if (entry.seq > expected_seq) {
      problem(entry.seq, entry.seq - 1 == expected_seq
                             ? fmt::format("entry {} is missing: it was deleted", expected_seq)
                             : fmt::format("entries {} to {} are missing: they were deleted",
                                           expected_seq, entry.seq - 1));
    }
    std::string expected_prev = previous_hash_.empty() ? kGenesisHash : previous_hash_;
    if (entry.prev_hash != expected_prev) {
      breaks_.push_back(
          {entry.seq, previous_seq_, entry.seq > expected_seq, entry.prev_hash, name});
    }
    if (!hash_seq_.emplace(entry.hash, entry.seq).second) {
      problem(entry.seq, name + " repeats the hash of entry " +
                             std::to_string(hash_seq_[entry.hash]) + ": it was copied");
    }
    previous_seq_ = entry.seq;
    previous_hash_ = entry.hash;
  }

  LedgerVerification finish() {
    for (const Break& broken : breaks_) explain(broken);
    result_.head = previous_hash_;
    const std::string& head = options_.expected_head;
    if (!head.empty() && !hash_seq_.count(head)) {
      problem(0, "no entry has the hash " + head +
                     " given as the head: the entries up to it were cut off or edited");
    }
    std::stable_sort(result_.problems.begin(), result_.problems.end(),
                     [](const auto& a, const auto& b) { return a.seq < b.seq; });
    if (dropped_ > 0) {
      result_.problems.push_back({0, fmt::format("... and {} more problem(s)", dropped_)});
    }
    return std::move(result_);
  }

 private:
  struct Break {
    int64_t seq;
    int64_t stored_after;  // the entry stored just before it
    bool after_gap;        // entries are missing just before it
    std::string claimed;   // the hash it says came before it
    std::string name;
  };

  void explain(const Break& broken) {
    if (broken.claimed == kGenesisHash) {
      if (!first_is_genesis_) {
        return problem(broken.seq, fmt::format("{} is the first entry of the chain but is "
                                               "stored after entry {}: the entries were reordered",
                                               broken.name, first_seq_));
      }
      return problem(broken.seq, broken.name +
                                     " claims to be the first entry: it was inserted, or the "
                                     "entries before it were replaced");
    }
    auto found = hash_seq_.find(broken.claimed);
    if (found == hash_seq_.end()) {
      if (broken.after_gap) return;  // the deletion is already named
      return problem(broken.seq,
                     fmt::format("{} follows an entry that is not in the ledger: entry {} before "
                                 "it was replaced, or an entry between them was deleted",
                                 broken.name, broken.stored_after));
    }
    int64_t chained_after = found->second;
    if (chained_after > broken.seq) {
      return problem(broken.seq, fmt::format("{} follows entry {} in the chain but is stored "
                                             "before it: the entries were reordered",
                                             broken.name, chained_after));
    }
    problem(broken.seq, fmt::format("{} follows entry {} in the chain: what is stored between them "
                                    "(entries {} to {}) was inserted or moved there",
                                    broken.name, chained_after, chained_after + 1, broken.seq - 1));
  }

  void problem(int64_t seq, std::string what) {
    if (result_.problems.size() >= options_.max_problems) {
      ++dropped_;
      return;
    }
    result_.problems.push_back({seq, std::move(what)});
  }

  const VerifyOptions& options_;
  size_t dropped_ = 0;
  LedgerVerification result_;
  int64_t previous_seq_ = 0;
  int64_t first_seq_ = 0;
  bool first_is_genesis_ = true;
  std::string previous_hash_;
  std::unordered_map<std::string, int64_t> hash_seq_;
  std::vector<Break> breaks_;
};

}  // namespace

Result<LedgerVerification> verify_ledger(RecordStore& store, const VerifyOptions& options) {
  Verifier verifier(options);
  Status scanned = store.scan(EntryQuery{}, [&](const LedgerEntry& entry) {
    verifier.check(entry);
    return true;
  });
  if (!scanned) return scanned.error();
  return verifier.finish();
}

LedgerVerification verify_entries(const std::vector<LedgerEntry>& entries,
                                  const VerifyOptions& options) {
  Verifier verifier(options);
  for (const auto& entry : entries) verifier.check(entry);
  return verifier.finish();
}

}  // namespace faultline

#pragma once
// The ledger: how entries are chained, signed and verified, the same for every backend.
//
// An entry's hash is SHA-256 over a canonical JSON array of its fields: kind, subject,
// plan, verdict, started_at, appended_at, summary, the SHA-256 of its body, and the
// previous entry's hash. So an edit to any field or to the body, a deleted entry, an
// inserted one and a reordering all break the chain somewhere verify_ledger can name.
// Without a key, whoever can write the store could rewrite every hash from an edit to the
// end; a ledger key (HMAC-SHA-256 of each hash) closes that, and the head hash that verify
// prints, kept elsewhere, also shows a cut-off tail.
#include <string>
#include <vector>

#include "reports/store/record_store.h"

namespace faultline {

constexpr const char* kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Fills in body_sha256, prev_hash, appended_at (as given), hash and mac (when `key` is
// not empty) of `entry`.
void seal_entry(LedgerEntry& entry, const std::string& prev_hash, const std::string& key);

// The hash `entry` should carry, from its fields (body_sha256 as stored).
std::string entry_hash(const LedgerEntry& entry);

// The ledger key: the file at `key_file` when given (its content, less one trailing
// newline), else $FAULTLINE_LEDGER_KEY, else "" (unsigned). The key is registered as a
// secret, so no log or record can show it. Fails when the file cannot be read or is empty.
Result<std::string> resolve_ledger_key(const std::string& key_file);

struct LedgerProblem {
  int64_t seq = 0;  // the entry it is about
  std::string what;
};

struct LedgerVerification {
  int64_t entries = 0;
  int64_t signed_entries = 0;
  std::string head;  // the last entry's hash
  std::vector<LedgerProblem> problems;
  bool ok() const { return problems.empty(); }
};

struct VerifyOptions {
  std::string key;            // check signatures too; an unsigned entry is then a problem
  std::string expected_head;  // a hash noted earlier: it must still be on the chain
  size_t max_problems = 100;  // kept; the rest are counted in one more problem
  // Where the entries start when they are not the whole ledger (an evidence bundle of a
  // later part of it): the seq and hash of the entry just before the first one.
  int64_t after_seq = 0;
  std::string after_hash = "";
};

// Walks the whole ledger in `store` and checks every body against its hash, every entry
// against its hash (and its signature), and every link; each problem names the entry and
// what happened to it (edited, deleted, inserted, reordered), in seq order. Fails only
// when the store cannot be read.
Result<LedgerVerification> verify_ledger(RecordStore& store, const VerifyOptions& options);

// The same checks over entries already in memory (a bundle), in seq order.
LedgerVerification verify_entries(const std::vector<LedgerEntry>& entries,
                                  const VerifyOptions& options);

}  // namespace faultline

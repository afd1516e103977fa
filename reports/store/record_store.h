#pragma once
// The record store: every drill record, review and corrective-action update, as entries of
// one append-only ledger, in SQLite (embedded, the default) or PostgreSQL (shared by many
// runners). One interface, two backends; what an entry is and how it is chained lives in
// reports/store/ledger.h, the same for both.
//
// Thread-safety: one RecordStore per thread. Many processes (and threads, each with its own
// store) may append to one ledger at once: append() takes the backend's write lock, so
// every entry follows exactly one other and the chain never forks.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "runner/core/result.h"

namespace faultline {

// One ledger entry as stored. Every field but `seq` is covered by `hash` (see ledger.h).
struct LedgerEntry {
  int64_t seq = 0;          // position in the store, 1, 2, ...
  std::string kind;         // "record", "review", "action_closed"
  std::string subject;      // the drill id the entry is about
  std::string plan;         // the drill's plan
  std::string verdict;      // records: the drill's verdict; else ""
  std::string started_at;   // records: the drill's UTC start; else ""
  std::string appended_at;  // UTC, when the entry was appended
  std::string summary;      // JSON: what `records list` shows without reading the body
  std::string body;         // JSON text, exactly as hashed
  std::string body_sha256;
  std::string prev_hash;  // the previous entry's hash; 64 zeros for the first
  std::string hash;
  std::string mac;  // HMAC-SHA-256 of `hash` under the ledger key; "" when unsigned
};

// What an appender provides; the store fills in the rest under its write lock.
struct NewEntry {
  std::string kind, subject, plan, verdict, started_at, summary, body;
};

// Which entries a scan visits. Empty strings match anything; `since`/`until` compare
// started_at (records) as UTC ISO 8601 text, `until` exclusive.
struct EntryQuery {
  std::string kind;
  std::string subject;
  std::string plan;
  std::string verdict;
  std::string since;
  std::string until;
  bool with_bodies = true;  // false: body stays "" (faster listings)

  // Entries of `kind` about drill `subject` ("": any).
  static EntryQuery about(std::string kind, std::string subject = "") {
    EntryQuery query;
    query.kind = std::move(kind);
    query.subject = std::move(subject);
    return query;
  }
};

class RecordStore {
 public:
  virtual ~RecordStore() = default;

  // Where the store is, as it may be shown: "sqlite:/path" or a PostgreSQL URI without
  // its password.
  virtual std::string describe() const = 0;

  // Appends `entry` after the current last entry, sealed (ledger.h) and signed with `key`
  // when it is not empty; returns the entry as stored. Concurrent appenders serialize.
  virtual Result<LedgerEntry> append(const NewEntry& entry, const std::string& key) = 0;

  // Visits the entries matching `query` in seq order, reading them in batches (memory
  // stays small for any ledger size); `visit` returns false to stop early.
  virtual Status scan(const EntryQuery& query,
                      const std::function<bool(const LedgerEntry&)>& visit) = 0;

  // How many entries the store holds.
  virtual Result<int64_t> count() = 0;
};

// Whether opening may create the store (and its table): a drill's first record does; a
// query never does, so that a mistyped location is an error rather than an empty ledger
// that verifies.
enum class StoreOpening { create_if_missing, existing_only };

// Opens the store at `location`: "postgresql://..." or "postgres://..." (libpq URI),
// "sqlite:PATH", or a plain PATH (SQLite). Fails naming the store (never its password)
// and the reason; with existing_only, also when there is no ledger there (not_found).
Result<std::unique_ptr<RecordStore>> open_record_store(const std::string& location,
                                                       StoreOpening opening);

// --store, else $FAULTLINE_STORE, else <home>/records.db.
std::string resolve_store_location(const std::string& flag, const std::string& home);

}  // namespace faultline

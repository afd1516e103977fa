#pragma once
// Evidence bundles: a part of the ledger (every entry appended since a date, through the
// head) with the records, reviews and closings as files, the ledger's columns, a
// manifest of every file's SHA-256 and a verification report, so that an auditor can
// check it on another machine without the store: `faultline records export` writes one
// (a tar.gz, runner/os/tar_archive.h), `faultline records verify --bundle` checks it.
//
// Layout: manifest.json, ledger.jsonl (one entry a line, in seq order, each naming its
// body file), records/<seq>-<drill id>.json, reviews/<seq>.json, closings/<seq>.json,
// verification.json and verification.txt (the store's own check at export), README.txt.
#include <string>
#include <vector>

#include "reports/store/ledger.h"
#include "runner/core/json.h"
#include "runner/os/tar_archive.h"

namespace faultline {

struct ExportRequest {
  std::string since;  // UTC ISO 8601: the first entry appended at or after it ("": all)
  std::string exported_at, exported_by;
  std::string key;  // signs the manifest and checks the entries' signatures when set
};

struct Export {
  std::vector<ArchiveFile> files;
  int64_t first_seq = 0, last_seq = 0, entries = 0;
};

// The bundle's files for `store`, with `verification` (verify_ledger of the whole store,
// just before) and its text as the verification report. Fails when the store cannot be
// read, or when no entry was appended since `since` (not_found). A ledger that does not
// verify is still exported, its report saying so: evidence of tampering is evidence.
Result<Export> export_evidence(RecordStore& store, const ExportRequest& request,
                               const LedgerVerification& verification,
                               const std::string& verification_text);

struct BundleVerification {
  LedgerVerification ledger;          // the chain, bodies and signatures
  std::vector<std::string> problems;  // the bundle's own: files, manifest, counts
  Json manifest;
  bool ok() const { return ledger.ok() && problems.empty(); }
};

// Checks a bundle's files: every file against the manifest, every entry's body file
// against its hash, the chain from the manifest's anchor to its head, and (with
// options.key) every entry's signature and the manifest's. Fails (invalid) only when the
// files are not a bundle at all (no manifest, or one that is not JSON).
Result<BundleVerification> verify_evidence(const std::vector<ArchiveFile>& files,
                                           const VerifyOptions& options);

}  // namespace faultline

#pragma once
// What the commands that use the record store share: opening it from the options, the
// query the filters describe, and appending a drill record.
#include <memory>
#include <string>

#include "reports/store/ledger.h"
#include "reports/tiers.h"
#include "runner/cli/commands.h"
#include "runner/core/json.h"

namespace faultline {

// The store --store / $FAULTLINE_STORE / <home>/records.db names.
Result<std::unique_ptr<RecordStore>> open_store_of(const CliOptions& options, StoreOpening opening);

// The records --plan, --since, --until and --verdict select (an --until date includes
// that day). Fails on a date it cannot read.
Result<EntryQuery> record_query(const RecordsOptions& options);

// The tier table: the JSON file $FAULTLINE_TIERS names, else <home>/tiers.json when there
// is one, else GB/T 20988-2007's levels.
Result<TierTable> tier_table_of(const CliOptions& options);

// Appends `record` to the store, signed with the ledger key when there is one.
Status append_record(const CliOptions& options, const Json& record);

// What `records verify` prints: each problem, then the count and the head hash.
std::string verification_text(const LedgerVerification& result, const std::string& store,
                              bool with_key);

}  // namespace faultline

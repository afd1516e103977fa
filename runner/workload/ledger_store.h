#pragma once
// A write ledger's backend: one small interface per kind of database, so that the writer
// (ledger_writer.h) and the measurement (ledger.h) are the same for all of them. A
// LedgerType is found by the name the plan's `workload:` uses (`postgres:`), checks its
// params against its Schema at load time, and makes one LedgerStore per drill.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runner/core/duration.h"
#include "runner/core/params.h"
#include "runner/core/result.h"
#include "runner/workload/ledger.h"

namespace faultline {

struct WriteOutcome {
  bool acknowledged = false;
  std::string server;  // "host:port" that acknowledged it
  // No acknowledgement, but the write may have been applied (it was sent, then the
  // answer never came): see LedgerWrite::in_doubt.
  bool in_doubt = false;
  std::string error;  // why it was not acknowledged (redacted by the caller)
};

// Used from one thread at a time (the writer's, then the engine's for read_back).
class LedgerStore {
 public:
  virtual ~LedgerStore() = default;
  // Makes the ledger ready to take this drill's rows (a table exists); its rows are told
  // apart from other drills' by `drill_id`.
  virtual Status prepare(Millis timeout) = 0;
  // Writes row `seq` through the application's connection string, as a client would:
  // (re)connecting when there is no connection, and dropping a broken one.
  virtual WriteOutcome write(uint64_t seq, Millis timeout) = 0;
  // Every surviving row of this drill, on a fresh connection.
  virtual Result<LedgerReadBack> read_back(Millis timeout) = 0;
  // How many connections it opened (the first included).
  virtual int64_t connects() const = 0;
};

class LedgerType {
 public:
  virtual ~LedgerType() = default;
  virtual std::string name() const = 0;
  virtual const Schema& schema() const = 0;
  // Checks what the schema cannot (a connection string that parses, ...); the error's
  // field names the param.
  virtual Status check(const Params& params) const = 0;
  // One line, without secrets: "postgres ledger table faultline_ledger on host=..."
  virtual std::string describe(const Params& params) const = 0;
  virtual std::unique_ptr<LedgerStore> open(const Params& params,
                                            const std::string& drill_id) const = 0;
};

// nullptr when there is no ledger of that name.
const LedgerType* find_ledger_type(const std::string& name);
std::vector<std::string> ledger_type_names();

}  // namespace faultline

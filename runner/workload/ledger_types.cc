// The ledger backends a plan's `workload:` may name: add one line per backend.
#include "runner/workload/ledger_store.h"
#include "runner/workload/postgres_ledger.h"
#include "runner/workload/redis_ledger.h"

namespace faultline {
namespace {

std::vector<const LedgerType*> all_ledger_types() {
  return {&postgres_ledger_type(), &redis_ledger_type()};
}

}  // namespace

const LedgerType* find_ledger_type(const std::string& name) {
  for (const LedgerType* type : all_ledger_types()) {
    if (type->name() == name) return type;
  }
  return nullptr;
}

std::vector<std::string> ledger_type_names() {
  std::vector<std::string> names;
  for (const LedgerType* type : all_ledger_types()) names.push_back(type->name());
  return names;
}

}  // namespace faultline

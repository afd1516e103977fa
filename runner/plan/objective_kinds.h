#pragma once
// The objectives a plan may set, in one table: each one's unit, which way is better, and
// what it needs. The plan loader reads them, measure.h judges them, and the record, the
// summary and JUnit show them, all from this table: a new objective is one entry here and
// one figure in Measurements, not a special case in five places.
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

enum class ObjectiveUnit { ms, percent };

struct ObjectiveKind {
  const char* name;  // as the plan writes it: "rto"
  ObjectiveUnit unit;
  bool higher_is_better;
  bool needs_workload;  // judged from the write ledger (plan `workload:`)
  const char* what;     // for messages: "recovery time"
};

const std::vector<ObjectiveKind>& objective_kinds();
// nullptr when there is no objective of that name.
const ObjectiveKind* find_objective_kind(std::string_view name);
std::vector<std::string> objective_kind_names();

// "ms" or "percent": the unit as the record's field names and ObjectiveResult spell it.
const char* unit_name(ObjectiveUnit unit);

}  // namespace faultline

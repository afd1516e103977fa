#pragma once
// The plan's `schedule:` section: when the drill is due, as a cron expression read in an
// IANA time zone (runner/schedule/schedule.h). A bad expression is an error at the byte
// it starts at; an unknown zone, at the zone.
#include "runner/plan/node_reader.h"
#include "runner/plan/plan.h"

namespace faultline {

std::optional<PlanSchedule> read_schedule(NodeReader& reader, const YAML::Node& node);

}  // namespace faultline

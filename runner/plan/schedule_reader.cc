#include "runner/plan/schedule_reader.h"

#include "runner/schedule/schedule.h"

namespace faultline {

std::optional<PlanSchedule> read_schedule(NodeReader& reader, const YAML::Node& node) {
  PlanSchedule schedule;
  bool has_cron = false, has_zone = false, valid = true;
  for (const Field& field : reader.fields(node, {"cron", "timezone"}, "schedule")) {
    auto text = reader.checkable_text(field.value, field.key);
    if (!text) {
      valid = false;
      continue;
    }
    if (field.key == "cron") {
      has_cron = true;
      schedule.cron = *text;
      size_t offset = 0;
      auto parsed = parse_cron(*text, &offset);
      if (!parsed) {
        valid = false;
        // The offset is into the text as substituted: only point into what is written.
        if (field.value.IsScalar() && field.value.Scalar() == *text)
          reader.error_in_scalar(field.value, offset, parsed.error().message);
        else
          reader.error(field.value, parsed.error().message);
      }
    } else {
      has_zone = true;
      schedule.timezone = *text;
      if (auto zone = check_time_zone(*text); !zone) {
        valid = false;
        reader.error(field.value, zone.error().message);
      }
    }
  }
  if (!node.IsMap()) return std::nullopt;
  if (!has_cron) {
    reader.error(node, "a schedule needs 'cron' (e.g. cron: \"30 2 * * MON-FRI\")");
    valid = false;
  }
  if (!has_zone) {
    reader.error(node,
                 "a schedule needs 'timezone', the IANA zone its times are in "
                 "(Europe/Berlin, America/New_York, UTC)");
    valid = false;
  }
  if (!valid) return std::nullopt;
  return schedule;
}

}  // namespace faultline

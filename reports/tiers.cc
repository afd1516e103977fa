#include "reports/tiers.h"

#include <optional>
#include <set>

#include "reports/json_fields.h"
#include "runner/core/duration.h"
#include "runner/core/json_reader.h"
#include "runner/os/files.h"

namespace faultline {
namespace {

constexpr double kMinute = 60 * 1000.0, kHour = 60 * kMinute;

// The figure `prefix` ("achieved", "target") of objective `name`, in ms, when measured.
std::optional<double> figure(const Json& objectives, const std::string& name,
                             const std::string& prefix) {
  const Json& value = field_of(field_of(objectives, name.c_str()), (prefix + "_ms").c_str());
  if (!value.is_number()) return std::nullopt;
  return value.get<double>();
}

Json assess(const Json& objectives, const TierTable& table, const std::string& prefix) {
  std::set<std::string> names;
  for (const auto& tier : table.tiers) {
    for (const auto& [name, limit] : tier.max_ms) names.insert(name);
  }
  Json judged_on = Json::array(), not_measured = Json::array();
  for (const auto& name : names) {
    (figure(objectives, name, prefix) ? judged_on : not_measured).push_back(name);
  }
  Json met = nullptr;
  if (!judged_on.empty()) {
    for (const auto& tier : table.tiers) {
      bool meets = true;
      for (const auto& [name, limit] : tier.max_ms) {
        auto value = figure(objectives, name, prefix);
        if (value && *value > limit) meets = false;
      }
      if (meets) met = tier.name;
    }
  }
  return Json{{"tier", met}, {"judged_on", judged_on}, {"not_measured", not_measured}};
}

}  // namespace

const TierTable& default_tier_table() {
  // GB/T 20988-2007 Appendix A gives each level's RTO and RPO as ranges; a threshold is
  // the upper end of the range, and a level whose RTO range has no upper end ("2 days or
  // more") has no RTO threshold. "Minutes" (level 6) is read as at most 30 minutes.
  static const TierTable table{
      "GB/T 20988-2007 disaster recovery capability levels",
      "GB/T 20988-2007 Information security technology - Disaster recovery specifications "
      "for information systems, Appendix A",
      {{"1", {{"rpo", 7 * 24 * kHour}}},
       {"2", {{"rpo", 7 * 24 * kHour}}},
       {"3", {{"rpo", 24 * kHour}}},
       {"4", {{"rto", 48 * kHour}, {"rpo", 24 * kHour}}},
       {"5", {{"rto", 48 * kHour}, {"rpo", 30 * kMinute}}},
       {"6", {{"rto", 30 * kMinute}, {"rpo", 0}}}}};
  return table;
}

Result<TierTable> read_tier_table(const std::string& path) {
  auto text = read_regular_file(path, 1024 * 1024, "tier table");
  if (!text) return text.error();
  Json json = Json::parse(*text, nullptr, false);
  if (json.is_discarded()) return Error{ErrorCode::invalid, "tier table " + path + ": not JSON"};
  JsonReader reader(json, "tier table " + path);
  if (Status object = reader.expect_object("an object"); !object) return object.error();
  TierTable table;
  auto name = reader.text("name");
  if (!name) return name.error();
  table.name = *name;
  auto source = reader.text_or("source", "");
  if (!source) return source.error();
  table.source = *source;
  auto tiers = reader.items_or_empty("tiers");
  if (!tiers) return tiers.error();
  for (const JsonReader& item : *tiers) {
    Tier tier;
    auto tier_name = item.text("name");
    if (!tier_name) return tier_name.error();
    tier.name = *tier_name;
    for (const auto& [key, value] : item.json().items()) {
      if (key == "name") continue;
      auto limit = item.text(key);
      if (!limit) return limit.error();
      auto duration = parse_duration(*limit);
      if (!duration) return duration.error().with_context(item.where() + ": tier " + tier.name);
      tier.max_ms[key] = static_cast<double>(duration->count());
    }
    table.tiers.push_back(std::move(tier));
  }
  if (table.tiers.empty()) {
    return Error{ErrorCode::invalid, "tier table " + path + " has no tiers"};
  }
  return table;
}

Json assess_tiers(const Json& record, const TierTable& table) {
  const Json& objectives = field_of(record, "objectives");
  const Json& continuity = field_of(field_of(record, "plan"), "continuity");
  const Json& plan_tier = field_of(continuity, "tier");
  return Json{{"table", table.name},
              {"source", table.source},
              {"plan_tier", plan_tier.is_string() ? plan_tier : Json(nullptr)},
              {"achieved", assess(objectives, table, "achieved")},
              {"claimed", assess(objectives, table, "target")}};
}

}  // namespace faultline

#include "reports/review_text.h"

#include <fmt/format.h>

#include "reports/json_fields.h"

namespace faultline {

std::string action_state(const CorrectiveAction& action, const std::string& today) {
  if (action.closed) return "closed";
  return action.overdue(today) ? "overdue" : "open";
}

Json actions_json(const std::vector<CorrectiveAction>& actions, const std::string& today) {
  Json out = Json::array();
  for (const auto& action : actions) {
    out.push_back(Json{{"id", action.id},
                       {"drill", action.drill_id},
                       {"plan", action.plan},
                       {"action", action.text},
                       {"owner", action.owner},
                       {"due", action.due},
                       {"state", action_state(action, today)},
                       {"raised_by", action.raised_by},
                       {"raised_at", action.raised_at},
                       {"closed_by", action.closed ? Json(action.closed_by) : Json(nullptr)},
                       {"closed_at", action.closed ? Json(action.closed_at) : Json(nullptr)},
                       {"note", action.closed ? Json(action.note) : Json(nullptr)}});
  }
  return out;
}

std::string actions_text(const std::vector<CorrectiveAction>& actions, const std::string& today) {
  std::string text;
  for (const auto& action : actions) {
    std::string state = action_state(action, today);
    for (char& c : state) c = static_cast<char>(std::toupper(c));
    text += fmt::format(
        "{:<7} {:<8} due {}  owner {}  {}  (drill {}, plan {}){}\n", action.id, state, action.due,
        action.owner, action.text, action.drill_id, action.plan,
        action.closed ? fmt::format("; closed by {} at {}{}", action.closed_by, action.closed_at,
                                    action.note.empty() ? "" : ": " + action.note)
                      : "");
  }
  return text;
}

std::string reviews_text(const Json& reviews, const std::vector<CorrectiveAction>& actions,
                         const std::string& today) {
  std::string text;
  if (reviews.is_array() && !reviews.empty()) text += "reviews:\n";
  for (const auto& review : reviews) {
    text += fmt::format("  by {} at {}\n", text_field(review, "by", "-"),
                        text_field(review, "at", "-"));
    const Json& lessons = field_of(review, "lessons");
    if (lessons.is_array()) {
      for (const auto& lesson : lessons) {
        if (lesson.is_string()) text += "    lesson: " + lesson.get<std::string>() + "\n";
      }
    }
  }
  if (!actions.empty()) text += "corrective actions:\n";
  text += actions_text(actions, today);
  return text;
}

}  // namespace faultline

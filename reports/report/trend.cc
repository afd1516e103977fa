// One plan's achieved RTO/RPO (every objective measured in time) against target across
// its drills: HTML with an SVG chart, or a Markdown table.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "reports/json_fields.h"
#include "reports/record_text.h"
#include "reports/report/page_text.h"
#include "reports/report/report.h"

namespace faultline {
namespace {

constexpr size_t kMaxDrills = 500;  // the most recent ones; older ones are counted
constexpr double kWidth = 1000, kHeight = 380, kLeft = 80, kRight = 150, kTop = 20, kBottom = 70;
constexpr const char* kPalette[] = {"#0969da", "#8250df", "#bf3989", "#1a7f37", "#bc4c00"};

// The objective names of `drills` in first-seen order; `timed`: only those in ms.
std::vector<std::string> objective_names(const std::vector<TrendDrill>& drills, bool timed) {
  std::vector<std::string> names;
  for (const auto& drill : drills) {
    for (const auto& view : objective_views(drill.objectives)) {
      if ((view.unit == "ms") != timed) continue;
      if (std::find(names.begin(), names.end(), view.name) == names.end())
        names.push_back(view.name);
    }
  }
  return names;
}

const Json& objective_of(const TrendDrill& drill, const std::string& name) {
  return field_of(drill.objectives, name.c_str());
}

std::string cell_of(const TrendDrill& drill, const std::string& name) {
  const Json& objective = objective_of(drill, name);
  if (!objective.is_object()) return "-";
  std::string status = text_field(objective, "status", "");
  return fmt::format("{} / {} {}", objective_figure(objective, "achieved"),
                     objective_figure(objective, "target"),
                     status == "not_evaluated" ? "not evaluated" : status);
}

struct TrendTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

TrendTable trend_table(const std::vector<TrendDrill>& drills) {
  TrendTable table;
  table.header = {"started (UTC)", "drill", "verdict"};
  std::vector<std::string> names = objective_names(drills, true);
  for (const auto& name : objective_names(drills, false)) names.push_back(name);
  for (const auto& name : names) table.header.push_back(name + " achieved / target");
  for (const auto& drill : drills) {
    std::vector<std::string> row{drill.started_at, drill.id, drill.verdict};
    for (const auto& name : names) row.push_back(cell_of(drill, name));
    table.rows.push_back(std::move(row));
  }
  return table;
}

double nice_ceiling(double value) {
  if (value <= 0 || !std::isfinite(value)) return 1000;
  double power = std::pow(10.0, std::floor(std::log10(value)));
  for (double factor : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (value <= factor * power) return factor * power;
  }
  return 10 * power;
}

std::string chart_svg(const std::vector<TrendDrill>& drills) {
  std::vector<std::string> names = objective_names(drills, true);
  if (names.empty() || drills.empty()) return "";
  double top_value = 0;
  for (const auto& drill : drills) {
    for (const auto& name : names) {
      const Json& objective = objective_of(drill, name);
      for (const char* key : {"achieved_ms", "target_ms"}) {
        double value = number_field(objective, key, 0);
        if (std::isfinite(value)) top_value = std::max(top_value, value);
      }
    }
  }
  double y_max = nice_ceiling(top_value * 1.05);
  double plot_w = kWidth - kLeft - kRight, plot_h = kHeight - kTop - kBottom;
  auto x_of = [&](size_t i) {
    return drills.size() == 1 ? kLeft + plot_w / 2
                              : kLeft + plot_w * static_cast<double>(i) / (drills.size() - 1);
  };
  auto y_of = [&](double ms) {
    return kTop + plot_h - std::clamp(ms, 0.0, y_max) / y_max * plot_h;
  };
  std::string svg = fmt::format(
      "<svg id=\"trend\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" "
      "width=\"{0}\" height=\"{1}\" role=\"img\" aria-label=\"achieved against target\">"
      "<style>text{{font:11px sans-serif;fill:#424a53}}</style>",
      svg_number(kWidth), svg_number(kHeight));
  for (int tick = 0; tick <= 5; ++tick) {
    double value = y_max * tick / 5;
    svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"#eaeef2\"/>"
        "<text x=\"{3}\" y=\"{4}\" text-anchor=\"end\">{5}</text>",
        svg_number(kLeft), svg_number(y_of(value)), svg_number(kLeft + plot_w),
        svg_number(kLeft - 6), svg_number(y_of(value) + 4), html_text(ms_figure(Json(value))));
  }
  size_t label_every = std::max<size_t>(1, drills.size() / 10);
  for (size_t i = 0; i < drills.size(); i += label_every) {
    svg += fmt::format(
        "<text x=\"{0}\" y=\"{1}\" text-anchor=\"end\" "
        "transform=\"rotate(-30 {0} {1})\">{2}</text>",
        svg_number(x_of(i)), svg_number(kTop + plot_h + 16),
        html_text(drills[i].started_at.substr(0, 16)));
  }
  for (size_t n = 0; n < names.size(); ++n) {
    const char* colour = kPalette[n % std::size(kPalette)];
    std::string target_path, achieved_path;
    for (size_t i = 0; i < drills.size(); ++i) {
      const Json& objective = objective_of(drills[i], names[n]);
      const Json& target = field_of(objective, "target_ms");
      if (target.is_number()) {
        target_path += fmt::format("{}{},{} ", target_path.empty() ? "M" : "L", svg_number(x_of(i)),
                                   svg_number(y_of(target.get<double>())));
      }
      const Json& achieved = field_of(objective, "achieved_ms");
      std::string status = text_field(objective, "status", "");
      std::string title =
          fmt::format("{} {}: {}", drills[i].started_at, names[n], cell_of(drills[i], names[n]));
      if (!achieved.is_number()) {
        // Not measured (the system never recovered, or the drill aborted): a mark on top.
        svg += fmt::format(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#cf222e\">"
            "&#215;<title>{}</title></text>",
            svg_number(x_of(i)), svg_number(kTop + 8), html_text(title));
        continue;
      }
      double y = y_of(achieved.get<double>());
      achieved_path += fmt::format("{}{},{} ", achieved_path.empty() ? "M" : "L",
                                   svg_number(x_of(i)), svg_number(y));
      svg += fmt::format(
          "<circle cx=\"{}\" cy=\"{}\" r=\"4\" fill=\"{}\" stroke=\"{}\" "
          "stroke-width=\"1.5\"><title>{}</title></circle>",
          svg_number(x_of(i)), svg_number(y), status == "missed" ? "#cf222e" : colour, colour,
          html_text(title));
    }
    if (!target_path.empty()) {
      svg += fmt::format(
          "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" "
          "stroke-dasharray=\"6 4\"/>",
          target_path, colour);
    }
    if (!achieved_path.empty()) {
      svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>",
                         achieved_path, colour);
    }
    double legend_y = kTop + 14 + 34.0 * n;
    svg += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" stroke=\"{3}\" stroke-width=\"2\"/>"
        "<text x=\"{4}\" y=\"{5}\">{6} achieved</text>"
        "<line x1=\"{0}\" y1=\"{7}\" x2=\"{2}\" y2=\"{7}\" stroke=\"{3}\" stroke-width=\"1.5\" "
        "stroke-dasharray=\"6 4\"/><text x=\"{4}\" y=\"{8}\">{6} target</text>",
        svg_number(kWidth - kRight + 12), svg_number(legend_y), svg_number(kWidth - kRight + 36),
        colour, svg_number(kWidth - kRight + 40), svg_number(legend_y + 4), html_text(names[n]),
        svg_number(legend_y + 14), svg_number(legend_y + 18));
  }
  svg += fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#57606a\"/>"
      "<line x1=\"{0}\" y1=\"{2}\" x2=\"{3}\" y2=\"{2}\" stroke=\"#57606a\"/>",
      svg_number(kLeft), svg_number(kTop), svg_number(kTop + plot_h), svg_number(kLeft + plot_w));
  return svg + "</svg>";
}

// The most recent kMaxDrills, and how many older ones were left out.
std::vector<TrendDrill> recent(const std::vector<TrendDrill>& drills, size_t* omitted) {
  *omitted = drills.size() > kMaxDrills ? drills.size() - kMaxDrills : 0;
  return std::vector<TrendDrill>(drills.begin() + static_cast<long>(*omitted), drills.end());
}

std::string counts_text(const std::vector<TrendDrill>& drills) {
  std::string text;
  std::vector<std::string> names = objective_names(drills, true);
  for (const auto& name : objective_names(drills, false)) names.push_back(name);
  for (const auto& name : names) {
    size_t met = 0, judged = 0;
    for (const auto& drill : drills) {
      std::string status = text_field(objective_of(drill, name), "status", "");
      if (status == "met" || status == "missed") ++judged;
      if (status == "met") ++met;
    }
    text += fmt::format("{}{}: met in {} of {} judged drill(s)", text.empty() ? "" : " · ", name,
                        met, judged);
  }
  return text;
}

std::string span_text(const std::string& plan, const std::vector<TrendDrill>& drills,
                      const std::string& store, size_t omitted) {
  if (drills.empty()) return fmt::format("No drill of plan {} in {}.", plan, store);
  return fmt::format("{} drill(s) of plan {} from {} to {} in {}{}. {}.", drills.size(), plan,
                     drills.front().started_at, drills.back().started_at, store,
                     omitted ? fmt::format(" ({} older drill(s) not shown)", omitted) : "",
                     counts_text(drills));
}

}  // namespace

std::string trend_html(const std::string& plan, const std::vector<TrendDrill>& all,
                       const std::string& store) {
  size_t omitted = 0;
  std::vector<TrendDrill> drills = recent(all, &omitted);
  std::string body = "<header>\n<h1>" + html_text("Trend: " + plan) + "</h1>\n<p>" +
                     html_text(span_text(plan, drills, store, omitted)) + "</p>\n</header>\n";
  std::string svg = chart_svg(drills);
  body += "<section id=\"chart\">\n<h2>Achieved against target</h2>\n";
  body += svg.empty()
              ? "<p class=\"muted\">No objective measured in time (rto, rpo) to chart.</p>\n"
              : "<p>Solid: achieved; dashed: target; a red point missed its target; "
                "&#215; at the top: not measured.</p>\n" +
                    svg + "\n";
  body += "</section>\n<section id=\"drills\">\n<h2>Drills</h2>\n<table>\n<tr>";
  TrendTable table = trend_table(drills);
  for (const auto& name : table.header) body += "<th>" + html_text(name) + "</th>";
  body += "</tr>\n";
  for (const auto& row : table.rows) {
    body += "<tr>";
    for (const auto& cell : row) body += "<td>" + html_text(cell) + "</td>";
    body += "</tr>\n";
  }
  body += "</table>\n</section>\n";
  return html_page("Trend: " + plan, body);
}

std::string trend_markdown(const std::string& plan, const std::vector<TrendDrill>& all,
                           const std::string& store) {
  size_t omitted = 0;
  std::vector<TrendDrill> drills = recent(all, &omitted);
  TrendTable table = trend_table(drills);
  return "# " + md_text("Trend: " + plan) + "\n\n" +
         md_text(span_text(plan, drills, store, omitted)) + "\n\n" +
         markdown_table(table.header, table.rows, 0);
}

}  // namespace faultline

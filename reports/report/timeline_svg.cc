#include "reports/report/timeline_svg.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "reports/json_fields.h"
#include "reports/record_text.h"
#include "reports/report/page_text.h"
#include "runner/core/text.h"

namespace faultline {
namespace {

constexpr double kWidth = 1060, kLabelWidth = 170, kPlotWidth = 800, kRow = 22, kBar = 14;
constexpr int kColumns = 1600;  // probe-row resolution: half a pixel
constexpr const char* kPass = "#2da44e";
constexpr const char* kFail = "#cf222e";
constexpr const char* kFault = "#bf8700";
constexpr const char* kRecovery = "#0969da";

double number_or(const Json& value, double fallback) {
  return value.is_number() ? value.get<double>() : fallback;
}

// The last moment the record speaks of: its duration, its last sample or phase end.
double span_of(const Json& record) {
  double span = number_or(field_of(record, "duration_ms"), 0);
  const Json& probes = field_of(record, "probes");
  if (probes.is_array()) {
    for (const auto& probe : probes) {
      const Json& samples = field_of(probe, "samples");
      if (!samples.is_array()) continue;
      for (const auto& sample : samples)
        span = std::max(span, number_or(field_of(sample, "t_ms"), 0));
    }
  }
  const Json& phases = field_of(record, "phases");
  if (phases.is_array()) {
    for (const auto& phase : phases)
      span = std::max(span, number_or(field_of(phase, "ended_ms"), 0));
  }
  return std::isfinite(span) && span > 0 ? span : 0;
}

struct Axis {
  double span;
  double x(double ms) const {
    double clamped = std::clamp(std::isfinite(ms) ? ms : 0.0, 0.0, span);
    return kLabelWidth + clamped / span * kPlotWidth;
  }
};

// A label of the left column, shortened to fit and escaped.
std::string row_label(const std::string& text, double y) {
  return fmt::format("<text x=\"6\" y=\"{}\" class=\"label\">{}</text>", svg_number(y + kBar - 3),
                     html_text(truncate_text(one_line(text), 26)));
}

std::string rect(double x0, double x1, double y, double height, const char* fill,
                 const std::string& title) {
  double width = std::max(x1 - x0, 1.0);
  return fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>",
      svg_number(x0), svg_number(y), svg_number(width), svg_number(height), fill, html_text(title));
}

std::string seconds(double ms) { return fmt::format("{:.3f}s", ms / 1000.0); }

// Column states of one probe: 0 no sample, 1 passing, 2 failing (failing wins). A
// round's outcome holds from when it was known (its t_ms) to the next round's, as the
// measurement reads it (README "Measurement").
std::string probe_row(const Json& probe, const Axis& axis, double y, double interval) {
  std::vector<unsigned char> columns(kColumns, 0);
  const Json& samples = field_of(probe, "samples");
  size_t failed = 0, total = 0;
  auto column = [&](double ms) {
    double at = std::clamp(std::isfinite(ms) ? ms : 0.0, 0.0, axis.span) / axis.span;
    return std::min(kColumns - 1, static_cast<int>(at * kColumns));
  };
  auto mark = [&](double from, double to, bool ok) {
    for (int c = column(from); c <= column(std::max(from, to)); ++c) {
      columns[c] = std::max<unsigned char>(columns[c], ok ? 1 : 2);
    }
  };
  double from = 0;
  bool state = true, started = false;
  if (samples.is_array()) {
    for (const auto& sample : samples) {
      const Json& end_value = field_of(sample, "t_ms");
      if (!end_value.is_number()) continue;
      double at = end_value.get<double>();
      bool ok = bool_field(sample, "ok", false);
      ++total;
      if (!ok) ++failed;
      if (started) mark(from, at, state);
      from = at;
      state = ok;
      started = true;
    }
  }
  if (started) mark(from, from + interval, state);
  std::string name = text_field(probe, "name", "?");
  std::string out = row_label(name, y);
  for (int c = 0; c < kColumns;) {
    int run = c;
    while (run < kColumns && columns[run] == columns[c]) ++run;
    if (columns[c] != 0) {
      double x0 = kLabelWidth + kPlotWidth * c / kColumns;
      double x1 = kLabelWidth + kPlotWidth * run / kColumns;
      double t0 = axis.span * c / kColumns, t1 = axis.span * run / kColumns;
      out += rect(x0, x1, y, kBar, columns[c] == 2 ? kFail : kPass,
                  fmt::format("{}: {} {} to {}", name, columns[c] == 2 ? "failing" : "passing",
                              seconds(t0), seconds(t1)));
    }
    c = run;
  }
  out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"note\">{}/{} failed</text>",
                     svg_number(kLabelWidth + kPlotWidth + 4), svg_number(y + kBar - 3), failed,
                     total);
  return out;
}

std::string fault_row(const Json& fault, const Axis& axis, double y) {
  std::string name = text_field(fault, "name", "?");
  std::string out = row_label("fault " + name, y);
  const Json& injected = field_of(fault, "injected_at_ms");
  if (!injected.is_number()) {
    return out + fmt::format("<text x=\"{}\" y=\"{}\" class=\"note\">not injected</text>",
                             svg_number(kLabelWidth + 4), svg_number(y + kBar - 3));
  }
  double from = injected.get<double>();
  const Json& rolled_back = field_of(fault, "rolled_back_at_ms");
  std::string type = text_field(fault, "type", "?");
  if (rolled_back.is_number()) {
    return out + rect(axis.x(from), axis.x(rolled_back.get<double>()), y, kBar, kFault,
                      fmt::format("fault {} ({}): injected {}, rolled back {}", name, type,
                                  seconds(from), seconds(rolled_back.get<double>())));
  }
  // A fault that needs no rollback (a kill) acts at one moment.
  return out +
         rect(axis.x(from) - 1.5, axis.x(from) + 1.5, y - 2, kBar + 4, kFault,
              fmt::format("fault {} ({}): at {}, nothing to roll back", name, type, seconds(from)));
}

std::string outage_row(const Json& measurements, const Axis& axis, double y) {
  std::string out = row_label("outages", y);
  const Json& outages = field_of(measurements, "outages");
  if (!outages.is_array()) return out;
  size_t drawn = 0;
  for (const auto& outage : outages) {
    if (++drawn > 1000) break;
    double began = number_or(field_of(outage, "began_ms"), 0);
    const Json& recovered = field_of(outage, "recovered_ms");
    double end = recovered.is_number() ? recovered.get<double>() : axis.span;
    out += rect(
        axis.x(began), axis.x(end), y, kBar, kFail,
        fmt::format("outage {} to {} ({}), fault {}", seconds(began),
                    recovered.is_number() ? seconds(end) : "never recovered",
                    ms_figure(field_of(outage, "duration_ms")), text_field(outage, "fault", "-")));
  }
  return out;
}

std::string vertical_line(double x, double top, double bottom, const char* colour,
                          const std::string& label, const std::string& title) {
  return fmt::format(
      "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"{3}\" stroke-width=\"1.5\" "
      "stroke-dasharray=\"4 3\"><title>{5}</title></line>"
      "<text x=\"{6}\" y=\"{7}\" class=\"mark\" fill=\"{3}\">{4}</text>",
      svg_number(x), svg_number(top), svg_number(bottom), colour, html_text(label),
      html_text(title), svg_number(x + 3), svg_number(top + 10));
}

double tick_step(double span) {
  double raw = span / 10;
  double power = std::pow(10.0, std::floor(std::log10(std::max(raw, 1.0))));
  for (double factor : {1.0, 2.0, 5.0, 10.0}) {
    if (raw <= factor * power) return factor * power;
  }
  return 10 * power;
}

std::string axis_ticks(const Axis& axis, double top, double bottom) {
  std::string out;
  double step = tick_step(axis.span);
  for (double t = 0; t <= axis.span + 0.5; t += step) {
    double x = axis.x(t);
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#eaeef2\"/>"
        "<text x=\"{0}\" y=\"{3}\" class=\"tick\" text-anchor=\"middle\">{4}</text>",
        svg_number(x), svg_number(top), svg_number(bottom), svg_number(bottom + 14),
        step >= 1000 ? fmt::format("{:g}s", t / 1000) : fmt::format("{:g}ms", t));
  }
  return out;
}

std::string phase_band(const Json& phases, const Axis& axis, double y) {
  std::string out = row_label("phases", y);
  if (!phases.is_array()) return out;
  static const char* kShades[] = {"#eaeef2", "#d0d7de"};
  size_t index = 0;
  for (const auto& phase : phases) {
    if (index >= 100) break;
    const Json& started = field_of(phase, "started_ms");
    if (!started.is_number()) continue;
    double from = started.get<double>();
    double to = number_or(field_of(phase, "ended_ms"), axis.span);
    std::string name = text_field(phase, "name", "?");
    out += rect(axis.x(from), axis.x(to), y, kBar, kShades[index++ % 2],
                fmt::format("phase {}: {} to {}", name, seconds(from), seconds(to)));
    if (axis.x(to) - axis.x(from) > 7.0 * name.size()) {
      out += fmt::format("<text x=\"{}\" y=\"{}\" class=\"phase\">{}</text>",
                         svg_number(axis.x(from) + 3), svg_number(y + kBar - 3),
                         html_text(truncate_text(one_line(name), 20)));
    }
  }
  return out;
}

}  // namespace

std::string timeline_svg(const Json& record) {
  double span = span_of(record);
  const Json& probes = field_of(record, "probes");
  const Json& faults = field_of(record, "faults");
  size_t probe_count = probes.is_array() ? probes.size() : 0;
  size_t fault_count = faults.is_array() ? faults.size() : 0;
  if (span <= 0 || (probe_count == 0 && fault_count == 0)) return "";
  Axis axis{span};
  const Json& measurements = field_of(record, "measurements");
  double interval = number_or(field_of(field_of(record, "steady_state"), "interval_ms"), 0);

  std::string rows;
  double y = 26;
  rows += phase_band(field_of(record, "phases"), axis, y);
  y += kRow + 4;
  size_t shown = 0;
  for (size_t i = 0; i < probe_count && shown < kMaxTimelineRows; ++i, ++shown, y += kRow) {
    rows += probe_row(probes[i], axis, y, interval);
  }
  for (size_t i = 0; i < fault_count && i < kMaxTimelineRows; ++i, y += kRow) {
    rows += fault_row(faults[i], axis, y);
  }
  rows += outage_row(measurements, axis, y);
  y += kRow;
  size_t hidden = probe_count - std::min(probe_count, kMaxTimelineRows) + fault_count -
                  std::min(fault_count, kMaxTimelineRows);
  if (hidden > 0) {
    rows += fmt::format(
        "<text x=\"6\" y=\"{}\" class=\"note\">{} more probe/fault rows not "
        "drawn (see the tables)</text>",
        svg_number(y + 10), hidden);
    y += kRow;
  }
  double bottom = y;
  std::string marks;
  const Json& t0 = field_of(measurements, "t0_ms");
  if (t0.is_number()) {
    marks += vertical_line(axis.x(t0.get<double>()), 14, bottom, "#57606a", "t0",
                           "t0: first fault injected at " + seconds(t0.get<double>()));
  }
  const Json& outages = field_of(measurements, "outages");
  if (outages.is_array()) {
    size_t drawn = 0;
    for (const auto& outage : outages) {
      const Json& recovered = field_of(outage, "recovered_ms");
      if (!recovered.is_number() || ++drawn > 100) continue;
      marks +=
          vertical_line(axis.x(recovered.get<double>()), 14, bottom, kRecovery, "recovery point",
                        "recovery point at " + seconds(recovered.get<double>()));
    }
  }
  double height = bottom + 24;
  return fmt::format(
             "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {0} {1}\" "
             "width=\"{0}\" height=\"{1}\" role=\"img\" aria-label=\"drill timeline\">"
             "<style>.label{{font:12px sans-serif;fill:#1f2328}}.note,.tick{{font:11px "
             "sans-serif;fill:#656d76}}.phase{{font:10px sans-serif;fill:#424a53}}"
             ".mark{{font:10px sans-serif}}</style>",
             svg_number(kWidth), svg_number(height)) +
         axis_ticks(axis, 14, bottom) + rows + marks + "</svg>";
}

}  // namespace faultline

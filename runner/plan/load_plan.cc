#include "runner/plan/load_plan.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <tuple>

#include "runner/core/sha256.h"
#include "runner/os/files.h"
#include "runner/plan/plan_loader.h"
#include "runner/plan/source_checks.h"
#include "runner/plan/yaml_limits.h"

namespace faultline {
namespace {

constexpr size_t kMaxDiagnostics = 100;

PlanLoad load_every_error(const std::string& path, const std::string& text,
                          const Registry& registry, const std::map<std::string, std::string>& vars,
                          LoadMode mode) {
  PlanLoad load;
  load.diagnostics = check_plan_source(path, text);
  if (!load.diagnostics.empty()) return load;
  auto documents = parse_plan_documents(path, text, load.diagnostics);
  if (!load.diagnostics.empty()) return load;
  if (documents.empty() || documents[0].IsNull()) {
    load.diagnostics.push_back({{path, 1, 1}, "plan is empty; a plan starts with 'version: 1'"});
    return load;
  }
  if (documents.size() > 1) {
    load.diagnostics.push_back(
        {{path, documents[1].Mark().line + 1, 1},
         "a plan file holds one YAML document; found " + std::to_string(documents.size())});
    return load;
  }
  const YAML::Node& root = documents[0];
  if (!root.IsMap()) {
    load.diagnostics.push_back(
        {{path, root.Mark().line + 1, root.Mark().column + 1},
         std::string("a plan must be a mapping of keys (version, name, ...), not ") +
             (root.IsSequence() ? "a list" : "a single value")});
    return load;
  }
  Plan plan = read_plan(path, root, registry, vars, mode, load.diagnostics);
  if (load.count(Severity::error) == 0) {
    plan.sha256 = sha256_hex(text);
    load.plan = std::move(plan);
  }
  std::stable_sort(load.diagnostics.begin(), load.diagnostics.end(), [](auto& a, auto& b) {
    return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
  });
  return load;
}

// "and 3 more errors, not shown"; notes are counted apart, as notes.
Diagnostic count_of_the_rest(const std::string& path, const std::vector<Diagnostic>& rest) {
  size_t errors = 0, notes = 0;
  for (const auto& diagnostic : rest) ++(diagnostic.severity == Severity::error ? errors : notes);
  std::vector<std::string> counts;
  if (errors > 0) counts.push_back(fmt::format("{} more errors", errors));
  if (notes > 0) counts.push_back(fmt::format("{} more notes", notes));
  return {{path, 0, 0},
          fmt::format("and {}, not shown", fmt::join(counts, " and ")),
          errors > 0 ? Severity::error : Severity::note};
}

}  // namespace

size_t PlanLoad::count(Severity severity) const {
  return std::count_if(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& diagnostic) {
    return diagnostic.severity == severity;
  });
}

PlanLoad load_plan_text(const std::string& path, const std::string& text, const Registry& registry,
                        const std::map<std::string, std::string>& vars, LoadMode mode) {
  PlanLoad load = load_every_error(path, text, registry, vars, mode);
  // Past a hundred, more errors only bury the first ones (a file of 40,000 unknown keys),
  // and rendering each one scans the file up to its line.
  if (load.diagnostics.size() > kMaxDiagnostics) {
    std::vector<Diagnostic> rest(load.diagnostics.begin() + kMaxDiagnostics,
                                 load.diagnostics.end());
    load.diagnostics.resize(kMaxDiagnostics);
    load.diagnostics.push_back(count_of_the_rest(path, rest));
  }
  return load;
}

PlanLoad load_plan_file(const std::string& path, const Registry& registry,
                        const std::map<std::string, std::string>& vars, LoadMode mode) {
  // Bounded and regular files only: /dev/zero never ends, a FIFO waits for a writer, and
  // a directory is a mistake to name, not an empty plan.
  auto text = read_regular_file(path, kMaxPlanBytes, "plan");
  if (!text.ok()) {
    PlanLoad load;
    load.diagnostics.push_back({{path, 0, 0}, text.error().message});
    return load;
  }
  PlanLoad load = load_plan_text(path, *text, registry, vars, mode);
  load.text = std::move(*text);
  return load;
}

}  // namespace faultline

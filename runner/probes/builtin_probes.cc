#include "runner/core/secrets.h"
#include "runner/core/text.h"
#include "runner/probes/exec/exec_probe.h"
#include "runner/probes/http/http_probe.h"
#include "runner/probes/probes.h"
#include "runner/probes/redis/redis_probe.h"
#include "runner/probes/sql/sql_probe.h"
#include "runner/probes/tcp/tcp_probe.h"

namespace faultline {

Status register_builtin_probes(Registry& registry) {
  for (auto* make : {&make_http_probe_type, &make_tcp_probe_type, &make_exec_probe_type,
                     &make_redis_probe_type, &make_sql_probe_type}) {
    if (Status added = registry.add(make()); !added) return added;
  }
  return {};
}

Result<std::optional<Pattern>> optional_pattern(const Params& params, const std::string& name) {
  if (!params.has(name)) return std::optional<Pattern>();
  auto compiled = Pattern::compile(params.text(name));
  if (!compiled.ok()) return Error{ErrorCode::invalid, compiled.error().message, name};
  return std::optional<Pattern>(std::move(*compiled));
}

std::string probe_detail(const std::string& text) {
  // Redacted first: a secret holding a tab or newline must still match.
  return truncate_text(one_line(redact(text)), 120);
}

}  // namespace faultline

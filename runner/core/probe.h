#pragma once
// The contract between the runner and a probe type. A Probe is immutable after
// configure() and check() is called from probe threads, possibly concurrently with
// other probes and with itself: it must be thread-safe. The runner times check()
// itself, so a probe only says whether the system looked healthy and why.
#include <memory>
#include <optional>
#include <string>

#include "runner/core/params.h"
#include "runner/core/result.h"
#include "runner/core/target.h"

namespace faultline {

struct ProbeOutcome {
  bool ok = false;
  std::string detail;  // short: "200", "connection refused", "exit 1"
};

class Probe {
 public:
  virtual ~Probe() = default;
  virtual std::string describe() const = 0;
  virtual ProbeOutcome check(Target& target) const = 0;
  // Whether many checks may wait at once at little cost (a socket each), as opposed to
  // each costing a process. Rounds overlap freely only when every probe says yes.
  virtual bool cheap_to_overlap() const { return true; }
  // The host:port it talks to, when it talks to one: a service's ready probe uses it
  // to prove that the service, and not some other process, is what answers.
  virtual std::optional<Endpoint> endpoint() const { return std::nullopt; }
};

class ProbeType {
 public:
  virtual ~ProbeType() = default;
  virtual std::string name() const = 0;
  virtual std::string summary() const = 0;
  virtual const Schema& schema() const = 0;
  virtual Result<std::unique_ptr<Probe>> configure(const Params& params) const = 0;
  // The param a plan may give alone, as a plain value instead of a mapping
  // (`lua: "return ..."` is `lua: {code: "return ..."}`); "" when there is none.
  virtual std::string shorthand_param() const { return ""; }
};

}  // namespace faultline

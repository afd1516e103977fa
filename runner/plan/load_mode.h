#pragma once
// What a load does about values the plan needs but this load cannot have: a var
// declared without a default and not given with --var, or an ${env:NAME} that is not
// set. `run` needs every one; `validate` checks a plan in CI, where there are no secrets.
namespace faultline {

enum class LoadMode {
  // Each missing value is an error where it is used: a drill cannot run without it.
  to_run,
  // Each missing value is a note, once (a var at its declaration, an env var at its first
  // use), and the rest of the plan is still checked. A value whose check needs it (a
  // duration or number written as ${var:X}, a fault type, a param a type's configure()
  // refuses) is left unchecked, with a note saying so. Such a plan is for checking, not
  // for running.
  to_check,
};

}  // namespace faultline

// The blast-radius rules as pure functions of synthetic processes: no signal is ever
// sent here, so a broken rule fails a test instead of hitting a real process.
#include "runner/engine/blast_radius.h"

#include <catch2/catch.hpp>

using namespace faultline;

namespace {

ProcessInfo process(pid_t pid, uid_t uid = 1000, const std::string& user = "alice") {
  ProcessInfo info;
  info.id = ProcessId{pid, 4242};
  info.uid = uid;
  info.user = user;
  info.name = "victim";
  info.command_line = "victim --serve";
  return info;
}

// The runner is pid 500, started by a shell (400) under a supervisor (300), under init.
BlastRadiusRules rules(const std::string& allowed_user = "") {
  return BlastRadiusRules{{{500, 1}, {400, 2}, {300, 3}, {1, 4}}, 1000, allowed_user};
}

std::string refusal(const ProcessInfo& info, const BlastRadiusRules& given) {
  Status status = check_blast_radius(info, given);
  REQUIRE_FALSE(status.ok());
  CHECK(status.error().is(ErrorCode::refused));
  return status.error().message;
}

}  // namespace

TEST_CASE("pid 1 is never a fault target, whoever owns it and whatever user is allowed") {
  ProcessInfo init = process(1, 0, "root");
  CHECK(refusal(init, rules()) ==
        "pid 1 (victim, user root, victim --serve) is pid 1 (init): never a fault target");
  CHECK(refusal(init, rules("root")).find("is pid 1 (init)") != std::string::npos);
  // Not even when it is missing from the lineage the target reported.
  CHECK_FALSE(check_blast_radius(init, BlastRadiusRules{{}, 0, ""}).ok());
}

TEST_CASE("a kernel thread is never a fault target") {
  ProcessInfo kthreadd = process(2, 0, "root");
  kthreadd.name = "kthreadd";
  kthreadd.command_line = "";
  kthreadd.kernel_thread = true;
  CHECK(refusal(kthreadd, rules("root")) ==
        "pid 2 (kthreadd, user root) is a kernel thread: never a fault target");
}

TEST_CASE("the runner itself is never a fault target") {
  CHECK(refusal(process(500), rules()).find("is the faultline runner itself") != std::string::npos);
}

TEST_CASE("every ancestor of the runner is refused, its shell and its supervisor alike") {
  for (pid_t ancestor : {400, 300}) {
    CHECK(refusal(process(ancestor), rules()).find("is an ancestor of the faultline runner") !=
          std::string::npos);
  }
}

TEST_CASE("an ancestor is refused by pid even when its start time differs") {
  // A lineage read a moment earlier must not let a racing reader slip past the rule.
  ProcessInfo shell = process(400);
  shell.id.start_ticks = 999999;
  CHECK_FALSE(check_blast_radius(shell, rules()).ok());
}

TEST_CASE("a process of another user is refused unless the target names that user") {
  ProcessInfo nobody = process(700, 65534, "nobody");
  CHECK(refusal(nobody, rules()) ==
        "pid 700 (victim, user nobody, victim --serve) belongs to user nobody, not to the user "
        "running the drill; add `user: nobody` to the fault's target to allow it");
  CHECK(check_blast_radius(nobody, rules("nobody")).ok());
  // The user may be named by number too.
  CHECK(check_blast_radius(nobody, rules("65534")).ok());
}

TEST_CASE("naming a user allows only that user, not the drill's own processes or a third") {
  CHECK(refusal(process(700), rules("nobody")) ==
        "pid 700 (victim, user alice, victim --serve) belongs to user alice, but the target "
        "allows only user nobody");
  CHECK_FALSE(check_blast_radius(process(701, 33, "www-data"), rules("nobody")).ok());
}

TEST_CASE("a process of the drill's own user outside the runner's lineage is allowed") {
  CHECK(check_blast_radius(process(700), rules()).ok());
}

TEST_CASE("another drill's faultline runner is never a fault target") {
  ProcessInfo runner = process(600);
  runner.name = "faultline";
  runner.command_line = "faultline run other.yaml";
  CHECK(refusal(runner, rules()) ==
        "pid 600 (faultline, user alice, faultline run other.yaml) is a faultline runner: "
        "faulting it would leave its drill's faults in force");
}

#include "runner/cli/records_cli.h"

#include <CLI/CLI.hpp>

#include "runner/cli/commands.h"

namespace faultline {
namespace {

CLI::App* subcommand(CLI::App& records, CliOptions& options, const std::string& name,
                     const std::string& description) {
  CLI::App* command = records.add_subcommand(name, description);
  command->callback([&options, name] { options.records.action = name; });
  return command;
}

void add_filters(CLI::App& command, RecordsOptions& records) {
  command.add_option("--plan", records.plan, "only this plan's drills")->type_name("NAME");
  command.add_option("--since", records.since, "drills that started at or after this (UTC)")
      ->type_name("DATE");
  command
      .add_option("--until", records.until,
                  "drills that started before this (a date: through that day)")
      ->type_name("DATE");
}

}  // namespace

void add_records_subcommands(CLI::App& records, CliOptions& options) {
  RecordsOptions& given = options.records;
  records.require_subcommand(1);

  CLI::App* list = subcommand(records, options, "list", "list drill records, oldest first");
  add_filters(*list, given);
  list->add_option("--verdict", given.verdict, "passed, failed, aborted, rollback_failed, ...")
      ->type_name("V");
  list->add_flag("--json", options.json, "machine-readable");

  CLI::App* show = subcommand(records, options, "show",
                              "one drill: objectives, faults, outages, timeline, reviews");
  show->add_option("id", given.id, "the drill id (or a unique start of it)")
      ->required()
      ->type_name("ID");
  show->add_flag("--json", options.json, "the record, its reviews and actions as JSON");

  CLI::App* review = subcommand(records, options, "review",
                                "append a post-drill review: lessons and a corrective action");
  review->add_option("id", given.id, "the drill id")->required()->type_name("ID");
  review->add_option("--lesson", given.lessons, "a lesson learned (repeatable)")
      ->allow_extra_args(false)
      ->type_name("TEXT");
  review->add_option("--action", given.corrective_action, "a corrective action")->type_name("TEXT");
  review->add_option("--owner", given.owner, "who owns the action")->type_name("WHO");
  review->add_option("--due", given.due, "when it is due (UTC date)")->type_name("YYYY-MM-DD");
  review->add_option("--operator", options.operator_name, "who writes the review")
      ->type_name("NAME");

  CLI::App* close =
      subcommand(records, options, "close", "close a corrective action (appends an entry)");
  close->add_option("action", given.id, "the action id (A12)")->required()->type_name("ACTION");
  close->add_option("--note", given.note, "how it was resolved")->type_name("TEXT");
  close->add_option("--operator", options.operator_name, "who closes it")->type_name("NAME");

  CLI::App* actions = subcommand(records, options, "actions", "list corrective actions");
  actions->add_flag("--open", given.open_only, "only those not closed");
  actions->add_flag("--overdue", given.overdue_only, "only open ones past their due date");
  actions->add_flag("--json", options.json, "machine-readable");

  CLI::App* verify =
      subcommand(records, options, "verify",
                 "check the ledger: every record, entry and link (exit 1 if not intact)");
  verify->add_option("--head", given.head, "a head hash noted earlier: it must still be there")
      ->type_name("HASH");
  verify->add_option("--bundle", given.bundle, "check an evidence bundle instead of the store")
      ->type_name("FILE");

  CLI::App* evidence = subcommand(
      records, options, "export",
      "write an evidence bundle (tar.gz): records, reviews, ledger, verification report");
  evidence
      ->add_option("--since", given.since,
                   "entries appended at or after this (UTC), through the head; default all")
      ->type_name("DATE");
  evidence->add_option("-o,--output", given.output, "the bundle to write")
      ->required()
      ->type_name("FILE");
  evidence->add_option("--operator", options.operator_name, "who exports it")->type_name("NAME");
}

}  // namespace faultline

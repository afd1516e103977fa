#include "runner/core/journal.h"

namespace faultline {

std::string outcome_name(JournalOutcome outcome) {
  switch (outcome) {
    case JournalOutcome::undone:
      return "undone";
    case JournalOutcome::already_undone:
      return "already_undone";
    case JournalOutcome::failed:
      return "failed";
  }
  return "failed";
}

}  // namespace faultline

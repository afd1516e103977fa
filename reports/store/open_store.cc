#include <cstdlib>

#include "reports/store/store_backends.h"

namespace faultline {

Result<std::unique_ptr<RecordStore>> open_record_store(const std::string& location,
                                                       StoreOpening opening) {
  if (location.rfind("postgresql://", 0) == 0 || location.rfind("postgres://", 0) == 0) {
    return open_postgres_store(location, opening);
  }
  std::string path = location.rfind("sqlite:", 0) == 0 ? location.substr(7) : location;
  if (path.empty()) return Error{ErrorCode::invalid, "the record store location is empty"};
  return open_sqlite_store(path, opening);
}

std::string resolve_store_location(const std::string& flag, const std::string& home) {
  if (!flag.empty()) return flag;
  if (const char* value = std::getenv("FAULTLINE_STORE"); value && *value) return value;
  return home + "/records.db";
}

}  // namespace faultline

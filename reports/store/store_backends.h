#pragma once
// The backends behind open_record_store (reports/store/record_store.h).
#include <memory>
#include <string>

#include "reports/store/record_store.h"

namespace faultline {

Result<std::unique_ptr<RecordStore>> open_sqlite_store(const std::string& path,
                                                       StoreOpening opening);
Result<std::unique_ptr<RecordStore>> open_postgres_store(const std::string& uri,
                                                         StoreOpening opening);

}  // namespace faultline

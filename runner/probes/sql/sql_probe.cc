#include "runner/probes/sql/sql_probe.h"

#include <optional>

#include "runner/os/pg_client.h"
#include "runner/probes/probes.h"

namespace faultline {
namespace {

class SqlProbe final : public Probe {
 public:
  SqlProbe(SqlRequest request, std::string shown, std::optional<int64_t> expect_rows,
           std::optional<std::string> expect_value)
      : request_(std::move(request)),
        shown_(std::move(shown)),
        expect_rows_(expect_rows),
        expect_value_(std::move(expect_value)) {}

  std::string describe() const override { return request_.query + " on " + shown_; }

  ProbeOutcome check(Target& target) const override {
    auto answer = target.sql(request_);
    if (!answer.ok()) return {false, probe_detail(answer.error().message)};
    size_t rows = answer->rows.size();
    std::string found =
        std::to_string(rows) + (rows == 1 ? " row" : " rows") + " from " + answer->server;
    if (expect_rows_ && static_cast<int64_t>(rows) != *expect_rows_) {
      return {false, probe_detail(found + ", expected " + std::to_string(*expect_rows_))};
    }
    if (expect_value_) {
      std::optional<std::string> value;
      if (!answer->rows.empty() && !answer->rows.front().empty()) value = answer->rows[0][0];
      if (value != expect_value_) {
        return {false, probe_detail(found + ": value '" + (value ? *value : "NULL") +
                                    "', expected '" + *expect_value_ + "'")};
      }
      return {true, probe_detail(found + ": '" + *value + "'")};
    }
    return {true, probe_detail(found)};
  }

 private:
  SqlRequest request_;
  std::string shown_;  // the connection string without its password
  std::optional<int64_t> expect_rows_;
  std::optional<std::string> expect_value_;
};

class SqlProbeType final : public ProbeType {
 public:
  std::string name() const override { return "sql"; }
  std::string summary() const override {
    return "SQL query through libpq on a fresh connection; passes when it succeeds (and "
           "returns the expected rows or value).";
  }
  const Schema& schema() const override {
    static const Schema schema{{
        {"conninfo",
         ParamKind::string,
         true,
         nullptr,
         "libpq connection string: key=value or postgresql:// URI; several hosts with "
         "target_session_attrs=read-write find the primary",
         {}},
        {"query", ParamKind::string, false, "SELECT 1", "one SQL statement", {}},
        {"expect_rows", ParamKind::integer, false, nullptr, "number of rows it must return", {}},
        {"expect_value",
         ParamKind::string,
         false,
         nullptr,
         "text the first column of the first row must equal",
         {}},
        {"timeout",
         ParamKind::duration,
         false,
         1000,
         "limit for connecting (every host tried) and the query, in milliseconds",
         {}},
    }};
    return schema;
  }
  Result<std::unique_ptr<Probe>> configure(const Params& params) const override {
    auto shown = describe_conninfo(params.text("conninfo"));
    if (!shown.ok()) return Error{ErrorCode::invalid, shown.error().message, "conninfo"};
    if (params.text("query").empty()) {
      return Error{ErrorCode::invalid, "query must not be empty", "query"};
    }
    if (params.duration("timeout").count() <= 0) {
      return Error{ErrorCode::invalid, "timeout must be positive", "timeout"};
    }
    std::optional<int64_t> expect_rows;
    if (params.has("expect_rows")) {
      expect_rows = params.integer("expect_rows");
      if (*expect_rows < 0) {
        return Error{ErrorCode::invalid, "expect_rows must be 0 or more", "expect_rows"};
      }
    }
    std::optional<std::string> expect_value;
    if (params.has("expect_value")) expect_value = params.text("expect_value");
    SqlRequest request{params.text("conninfo"), params.text("query"), params.duration("timeout")};
    return std::unique_ptr<Probe>(std::make_unique<SqlProbe>(std::move(request), std::move(*shown),
                                                             expect_rows, std::move(expect_value)));
  }
};

}  // namespace

std::unique_ptr<ProbeType> make_sql_probe_type() { return std::make_unique<SqlProbeType>(); }

}  // namespace faultline

#pragma once
// Errors are values: every fallible call returns Result<T> or Status, never throws
// across a folder boundary. An Error carries the context the user needs (which plan,
// fault, target, OS reason); callers add their own context with with_context(). Callers
// that must tell kinds of failure apart test the code, never the message text.
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace faultline {

enum class ErrorCode {
  failed,     // anything not listed below
  invalid,    // bad input: a plan value, a journal line, a plugin's answer
  not_found,  // no such file, program, process or type
  gone,       // the process (or thing) to act on no longer exists
  in_use,     // held by someone else: a journal of a live drill, a target lock
  refused,    // a safety rule forbids it (pid 1, the runner itself, ...)
  timed_out,
  cancelled,  // a stop request (SIGINT, SIGTERM) cut it short
};

struct Error {
  Error(std::string message_text, std::string field_name = "")
      : message(std::move(message_text)), field(std::move(field_name)) {}
  Error(ErrorCode error_code, std::string message_text, std::string field_name = "")
      : code(error_code), message(std::move(message_text)), field(std::move(field_name)) {}

  ErrorCode code = ErrorCode::failed;
  std::string message;
  // The parameter or field the error is about, when there is one; the plan loader
  // turns it into a file:line:col.
  std::string field;

  Error with_context(const std::string& context) const {
    return Error{code, context + ": " + message, field};
  }
  bool is(ErrorCode wanted) const { return code == wanted; }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}
  Result(Error error) : state_(std::move(error)) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, Error> state_;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)) {}

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

}  // namespace faultline

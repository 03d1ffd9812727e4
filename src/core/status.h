#pragma once
// Error handling at boundaries: Status and Result<T> (after Arrow's), plus the process exit codes
// of INTERFACE.md. Errors the user can cause carry *where* (file:line:column or config key) and
// *what to do* in the message; assertions are for our own invariants only.

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace upcamp {

/// What kind of failure; decides the process exit code.
enum class ErrorCode {
  kOk = 0,
  kUsage,    ///< bad command line                          -> exit 2
  kConfig,   ///< bad config file / key / value              -> exit 2
  kData,     ///< bad input data file (CSV, table, bundle)   -> exit 3
  kIo,       ///< the OS refused: missing file, disk full    -> exit 1
  kRuntime,  ///< anything else that stops the operation     -> exit 1
};

/// Exit code for an error kind: 0 success, 1 runtime, 2 usage/config, 3 data.
int ExitCodeFor(ErrorCode code);
const char* ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  template <typename... Args>
  static Status Usage(fmt::format_string<Args...> f, Args&&... a) {
    return {ErrorCode::kUsage, fmt::format(f, std::forward<Args>(a)...)};
  }
  template <typename... Args>
  static Status Config(fmt::format_string<Args...> f, Args&&... a) {
    return {ErrorCode::kConfig, fmt::format(f, std::forward<Args>(a)...)};
  }
  template <typename... Args>
  static Status Data(fmt::format_string<Args...> f, Args&&... a) {
    return {ErrorCode::kData, fmt::format(f, std::forward<Args>(a)...)};
  }
  template <typename... Args>
  static Status Io(fmt::format_string<Args...> f, Args&&... a) {
    return {ErrorCode::kIo, fmt::format(f, std::forward<Args>(a)...)};
  }
  template <typename... Args>
  static Status Runtime(fmt::format_string<Args...> f, Args&&... a) {
    return {ErrorCode::kRuntime, fmt::format(f, std::forward<Args>(a)...)};
  }
  /// An I/O error from errno, naming the operation and path.
  static Status FromErrno(int err, std::string_view operation, std::string_view path);

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  /// The same error with `prefix: ` added in front (to add context while propagating).
  Status WithPrefix(std::string_view prefix) const;
  std::string ToString() const;

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

/// A value or the error that prevented it.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.ok() && "Result constructed from an OK status without a value");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

#define UPCAMP_CONCAT_INNER(a, b) a##b
#define UPCAMP_CONCAT(a, b) UPCAMP_CONCAT_INNER(a, b)

/// Returns the Status from the enclosing function if `expr` is not OK.
#define UPCAMP_RETURN_IF_ERROR(expr) \
  UPCAMP_RETURN_IF_ERROR_IMPL(UPCAMP_CONCAT(_upcamp_status_, __LINE__), expr)
#define UPCAMP_RETURN_IF_ERROR_IMPL(tmp, expr) \
  do {                                         \
    ::upcamp::Status tmp = (expr);             \
    if (!tmp.ok()) return tmp;                 \
  } while (false)

#define UPCAMP_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                 \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()

/// `UPCAMP_ASSIGN_OR_RETURN(auto x, MakeX());` declares x from a Result or returns its error.
#define UPCAMP_ASSIGN_OR_RETURN(lhs, rexpr) \
  UPCAMP_ASSIGN_OR_RETURN_IMPL(UPCAMP_CONCAT(_upcamp_result_, __LINE__), lhs, rexpr)

}  // namespace upcamp

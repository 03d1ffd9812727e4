#include "core/status.h"

#include <cstring>

namespace upcamp {

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return 0;
    case ErrorCode::kUsage:
    case ErrorCode::kConfig: return 2;
    case ErrorCode::kData: return 3;
    case ErrorCode::kIo:
    case ErrorCode::kRuntime: return 1;
  }
  return 1;
}

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "ok";
    case ErrorCode::kUsage: return "usage error";
    case ErrorCode::kConfig: return "config error";
    case ErrorCode::kData: return "data error";
    case ErrorCode::kIo: return "I/O error";
    case ErrorCode::kRuntime: return "error";
  }
  return "error";
}

Status Status::FromErrno(int err, std::string_view operation, std::string_view path) {
  return {ErrorCode::kIo, fmt::format("{}: cannot {}: {}", path, operation, std::strerror(err))};
}

Status Status::WithPrefix(std::string_view prefix) const {
  if (ok()) return *this;
  return {code_, fmt::format("{}: {}", prefix, message_)};
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return fmt::format("{}: {}", ErrorCodeName(code_), message_);
}

}  // namespace upcamp

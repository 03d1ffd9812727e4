#pragma once
// The per-run lock: an exclusive flock() on `<run>/.lock`. The kernel releases it when the
// holding process exits or is killed, so a lock can never outlive a crash, and its state tells
// whether a run recorded as running is still alive (on the same host).

#include <string>
#include <utility>

#include "core/status.h"

namespace upcamp::flow {

class RunLock {
 public:
  /// Takes the lock without waiting and writes "pid host" into the file. If another process
  /// holds it, a runtime error names the run, that process's pid and host, and what to do.
  static Result<RunLock> Acquire(const std::string& lock_path, const std::string& run_id);
  RunLock(RunLock&& other) noexcept : fd_(other.fd_), path_(std::move(other.path_)) {
    other.fd_ = -1;
  }
  RunLock& operator=(RunLock&&) = delete;
  RunLock(const RunLock&) = delete;
  ~RunLock();
  /// The lock file, as given to Acquire.
  const std::string& path() const { return path_; }

 private:
  RunLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::string path_;
};

/// Whether some process currently holds the lock at `lock_path` (false if the file is missing).
bool LockIsHeld(const std::string& lock_path);

}  // namespace upcamp::flow

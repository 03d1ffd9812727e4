#include "flow/lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "flow/history.h"

namespace upcamp::flow {

Result<RunLock> RunLock::Acquire(const std::string& lock_path, const std::string& run_id) {
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "open lock file", lock_path);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    if (err != EWOULDBLOCK) {
      ::close(fd);
      return Status::FromErrno(err, "lock", lock_path);
    }
    // The holder wrote "pid host" after taking the lock; it may not have yet (then it is empty).
    std::string holder(256, '\0');
    const ssize_t n = ::pread(fd, holder.data(), holder.size(), 0);
    ::close(fd);
    holder.resize(n > 0 ? static_cast<size_t>(n) : 0);
    while (!holder.empty() && (holder.back() == '\n' || holder.back() == '\0')) holder.pop_back();
    const size_t space = holder.find(' ');
    const std::string who = space == std::string::npos
                                ? std::string("another process")
                                : fmt::format("process {} on host {}", holder.substr(0, space),
                                              holder.substr(space + 1));
    return Status::Runtime(
        "run '{}' is already running in {} (lock {}); wait for it to finish, or stop that process "
        "and run the same command again to resume",
        run_id, who, lock_path);
  }
  const std::string me = fmt::format("{} {}\n", ::getpid(), HostName());
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, me.data(), me.size(), 0) < 0) {
    const int err = errno;
    ::close(fd);
    return Status::FromErrno(err, "write lock file", lock_path);
  }
  return RunLock(fd, lock_path);
}

RunLock::~RunLock() {
  // Closing the descriptor releases the flock. The file stays: removing it would race with a
  // process that has opened it but not yet locked it.
  if (fd_ >= 0) ::close(fd_);
}

bool LockIsHeld(const std::string& lock_path) {
  const int fd = ::open(lock_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);  // drops the shared lock if we got it
  return held;
}

}  // namespace upcamp::flow

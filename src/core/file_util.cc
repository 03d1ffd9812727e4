#include "core/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace upcamp {
namespace {

constexpr size_t kBufferSize = 1 << 20;

std::string ParentDir(const std::string& path) {
  auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? std::string(".") : parent.string();
}

Status WriteAll(int fd, const char* data, size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status::FromErrno(errno, "write", path);
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Status::Ok();
}

}  // namespace

AtomicFileWriter::AtomicFileWriter(std::string path, std::string temp_path, int fd)
    : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd), buffer_(kBufferSize) {}

Result<std::unique_ptr<AtomicFileWriter>> AtomicFileWriter::Open(std::string path) {
  static std::atomic<uint64_t> counter{0};
  const std::filesystem::path p(path);
  if (p.filename().empty()) return Status::Usage("'{}' is not a file path", path);
  const std::string dir = ParentDir(path);
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::Io("{}: cannot write: folder '{}' does not exist", path, dir);
  }
  const std::string temp = (p.parent_path() / fmt::format(".{}.tmp-{}-{}", p.filename().string(),
                                                          ::getpid(), counter.fetch_add(1)))
                               .string();
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno(errno, "create", temp);
  return std::unique_ptr<AtomicFileWriter>(new AtomicFileWriter(std::move(path), temp, fd));
}

AtomicFileWriter::~AtomicFileWriter() {
  Abort();
}

Status AtomicFileWriter::Flush() {
  if (buffered_ == 0) return Status::Ok();
  Status st = WriteAll(fd_, buffer_.data(), buffered_, temp_path_);
  buffered_ = 0;
  return st;
}

Status AtomicFileWriter::Write(const void* data, size_t size) {
  if (done_) return Status::Runtime("{}: write after commit", path_);
  bytes_written_ += size;
  const char* p = static_cast<const char*>(data);
  if (buffered_ + size > buffer_.size()) {
    UPCAMP_RETURN_IF_ERROR(Flush());
    if (size >= buffer_.size()) return WriteAll(fd_, p, size, temp_path_);
  }
  std::memcpy(buffer_.data() + buffered_, p, size);
  buffered_ += size;
  return Status::Ok();
}

Status AtomicFileWriter::Commit() {
  if (done_) return Status::Runtime("{}: committed twice", path_);
  Status st = Flush();
  if (st.ok() && ::fsync(fd_) != 0) st = Status::FromErrno(errno, "fsync", temp_path_);
  if (!st.ok()) {
    Abort();
    return st;
  }
  ::close(fd_);
  fd_ = -1;
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    st = Status::FromErrno(errno, "rename temp file into", path_);
    ::unlink(temp_path_.c_str());
    done_ = true;
    return st;
  }
  done_ = true;
  return SyncDirectory(ParentDir(path_));
}

void AtomicFileWriter::Abort() {
  if (done_) return;
  done_ = true;
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(temp_path_.c_str());
}

Status WriteFileAtomic(const std::string& path, std::string_view content) {
  UPCAMP_ASSIGN_OR_RETURN(auto writer, AtomicFileWriter::Open(path));
  UPCAMP_RETURN_IF_ERROR(writer->Write(content));
  return writer->Commit();
}

Result<std::string> ReadFileToString(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open", path);
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return Status::FromErrno(err, "read", path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Status::FromErrno(errno, "open folder", dir);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0 && err != EINVAL) return Status::FromErrno(err, "fsync folder", dir);
  return Status::Ok();
}

Status MakeDirectories(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Io("{}: cannot create folder: {}", dir, ec.message());
  return Status::Ok();
}

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string_view CompressionSuffix(std::string_view path) {
  auto ends = [&](std::string_view suf) {
    if (path.size() < suf.size()) return false;
    for (size_t i = 0; i < suf.size(); ++i) {
      const char c = path[path.size() - suf.size() + i];
      if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != suf[i]) return false;
    }
    return true;
  };
  if (ends(".gz")) return ".gz";
  if (ends(".zst")) return ".zst";
  return "";
}

Status WriteJsonFileAtomic(const std::string& path, const nlohmann::json& j) {
  return WriteFileAtomic(path, j.dump(2) + "\n");
}

Result<nlohmann::json> ReadJsonFile(const std::string& path) {
  UPCAMP_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    return Status::Data("{}: not valid JSON ({})", path, e.what());
  }
}

}  // namespace upcamp

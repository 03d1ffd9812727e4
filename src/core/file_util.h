#pragma once
// Files: atomic writes (temp file in the same folder, fsync, rename, fsync the folder) and
// whole-file reads. No output of ours is ever visible half-written: a crash leaves either the
// old file or the new one, plus at most a hidden `.NAME.tmp-*` file that the next write ignores.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace upcamp {

/// Buffered writer to a hidden temp file beside `path`; Commit() makes it appear at `path`
/// atomically. Destroying it without Commit() removes the temp file (the target is untouched).
class AtomicFileWriter {
 public:
  static Result<std::unique_ptr<AtomicFileWriter>> Open(std::string path);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  Status Write(const void* data, size_t size);
  Status Write(std::string_view s) { return Write(s.data(), s.size()); }
  /// Flushes, fsyncs, renames over `path` and fsyncs the folder. Call once.
  Status Commit();
  /// Drops the temp file; the target is left as it was.
  void Abort();

  const std::string& path() const { return path_; }
  const std::string& temp_path() const { return temp_path_; }
  uint64_t bytes_written() const { return bytes_written_; }

 private:
  AtomicFileWriter(std::string path, std::string temp_path, int fd);
  Status Flush();

  std::string path_, temp_path_;
  int fd_ = -1;
  std::vector<char> buffer_;
  size_t buffered_ = 0;
  uint64_t bytes_written_ = 0;
  bool done_ = false;
};

/// Writes `content` to `path` atomically.
Status WriteFileAtomic(const std::string& path, std::string_view content);

/// Reads a whole file.
Result<std::string> ReadFileToString(const std::string& path);

/// Writes `j` as indented JSON (plus a final newline) to `path` atomically.
Status WriteJsonFileAtomic(const std::string& path, const nlohmann::json& j);

/// Reads and parses a JSON file; a parse failure is a Data error naming the file.
Result<nlohmann::json> ReadJsonFile(const std::string& path);

/// fsyncs a folder so that a rename inside it is durable.
Status SyncDirectory(const std::string& dir);

/// Creates a folder and its parents (like mkdir -p).
Status MakeDirectories(const std::string& dir);

bool FileExists(const std::string& path);

/// Lower-case extension(s) that matter for compression: ".gz", ".zst" or "".
std::string_view CompressionSuffix(std::string_view path);

}  // namespace upcamp

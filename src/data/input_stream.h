#pragma once
// Sequential byte input for the readers: a plain file, a gzip or zstd file decompressed on the fly
// (chosen by extension, core/file_util.h CompressionSuffix), or text already in memory. Private to
// the data module; the CSV reader pulls large chunks through Read(), never single bytes.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace upcamp {

class InputStream {
 public:
  /// Opens `path`; `.gz` is inflated (concatenated gzip members are read one after another),
  /// `.zst` is zstd-decompressed (several frames likewise). A missing file is an I/O error.
  static Result<std::unique_ptr<InputStream>> Open(const std::string& path);
  /// Serves `text`, which must outlive the stream.
  static std::unique_ptr<InputStream> FromMemory(std::string_view text);
  /// Wraps `inner` so that a background thread reads ahead up to `depth` chunks of `chunk_bytes`
  /// while the caller works: worth it when reading is costly (decompression).
  static std::unique_ptr<InputStream> Prefetching(std::unique_ptr<InputStream> inner,
                                                  size_t chunk_bytes = size_t{4} << 20,
                                                  int depth = 2);

  virtual ~InputStream() = default;

  /// Reads up to `n` decompressed bytes into `out`; returns how many (0 only at the end). Corrupt
  /// or truncated compressed data is a data error naming the file; OS failures are I/O errors.
  virtual Result<size_t> Read(char* out, size_t n) = 0;
  /// Bytes of the underlying file consumed so far and its total size (for progress; the
  /// compressed size for compressed input). Safe to call from the reading thread only.
  virtual uint64_t raw_position() const = 0;
  virtual uint64_t raw_size() const = 0;
  /// The name used in error messages (the path).
  virtual const std::string& name() const = 0;
};

/// Reads up to `n` bytes, looping over short reads; fewer than `n` only at the end.
Result<size_t> ReadFully(InputStream& in, char* out, size_t n);

}  // namespace upcamp

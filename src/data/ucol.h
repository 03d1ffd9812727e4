#pragma once
// The `.ucol` binary columnar file: how stages persist tables between runs. Self-describing,
// versioned, checksummed, zstd-compressed per column, written atomically, and read column by
// column (only the columns asked for are read from disk). A round trip is exact: doubles are
// bit-identical (NaN = missing preserved), string dictionaries keep their order, so codes match.
//
// Layout (all integers little-endian):
//
//   offset 0   magic     8 bytes  "UCOL\r\n\x1a\n"  (catches text-mode/CRLF damage like PNG's)
//              version   u32      kUcolFormatVersion
//              flags     u32      0 (reserved)
//              hsize     u64      size of the header payload that follows
//              payload   hsize bytes:
//                num_rows      u64
//                num_columns   u32
//                per column:   name_len u32, name bytes (UTF-8), type u8 (DataType value),
//                              null_count u64, dictionary_size u64 (string columns, else 0),
//                              offset u64 (from file start), compressed_size u64, raw_size u64,
//                              checksum u64 (XXH3-64, seed 0, of the raw bytes; core/hash.h)
//              hchecksum u64      XXH3-64 of the payload
//   then the columns' compressed data, in column order, at the offsets given.
//
// A column's data is one or more concatenated zstd frames (each holds at most 4 MiB of raw bytes,
// so big columns compress and decompress in parallel) whose decompressed concatenation is the
// column's *raw bytes*:
//   int64, timestamp : int64 x num_rows            (missing = INT64_MIN)
//   float64          : IEEE-754 binary64 x num_rows (bit patterns kept; missing = NaN)
//   bool             : u8 x num_rows               (0, 1; missing = 2)
//   string           : dictionary then codes: u64 count, u32 byte length x count, the strings'
//                      bytes concatenated, then int32 code x num_rows (missing = -1)
//
// Reading checks everything before trusting it: magic, version, header checksum, sizes against
// the file size and the row count, every frame's size, the raw checksum, bool values, code ranges
// and dictionary uniqueness. Any mismatch is a data error naming the file and (when it concerns
// one) the column; a corrupt header never leads to a huge allocation.

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/csv_writer.h"
#include "data/table.h"

namespace upcamp {

inline constexpr uint32_t kUcolFormatVersion = 1;

struct UcolWriteOptions {
  /// zstd level (1 = fastest .. 19; 3 is a good default for stage results).
  int compression_level = 3;
  /// Compression threads (>= 1). The file's bytes do not depend on it.
  int threads = 1;
};

struct UcolReadOptions {
  /// If non-empty: read only these columns, in this order (a missing one is a data error that
  /// lists the file's columns). Empty: every column, in file order.
  std::vector<std::string> columns;
  /// Decompression threads (>= 1).
  int threads = 1;
};

/// Header information about one column (no data).
struct UcolColumnInfo {
  std::string name;
  DataType type = DataType::kInt64;
  uint64_t null_count = 0;
  uint64_t dictionary_size = 0;  ///< distinct strings (string columns), else 0
  uint64_t offset = 0;           ///< of the compressed data, from the file start
  uint64_t compressed_size = 0;  ///< bytes on disk
  uint64_t raw_size = 0;         ///< bytes after decompression (see the layout above)
  uint64_t checksum = 0;         ///< XXH3-64 of the raw bytes
};

/// The header of a .ucol file.
struct UcolInfo {
  uint32_t format_version = 0;
  uint64_t num_rows = 0;
  uint64_t file_size = 0;
  std::vector<UcolColumnInfo> columns;

  Schema schema() const;
};

/// Writes `table` to `path` atomically (nothing appears at `path` unless the whole file was
/// written and synced). The bytes are a function of the table and the compression level only.
Status WriteUcol(const Table& table, const std::string& path, const UcolWriteOptions& options = {});

/// Reads a .ucol file (all or some columns), verifying sizes and checksums of what it reads.
Result<Table> ReadUcol(const std::string& path, const UcolReadOptions& options = {});

/// Reads and validates only the header (magic, version, header checksum, sizes against the file
/// size); cheap whatever the file size. Column data is not read, so data checksums are not checked.
Result<UcolInfo> InspectUcol(const std::string& path);

/// Converts a .ucol file to CSV (compressed by the output's extension; atomic).
Status ExportUcolToCsv(const std::string& ucol_path, const std::string& csv_path,
                       const CsvWriteOptions& options = {}, int threads = 1);

/// True if `path` ends in ".ucol" (case-insensitive).
bool IsUcolPath(std::string_view path);

}  // namespace upcamp

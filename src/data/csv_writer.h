#pragma once
// CSV output: RFC 4180 quoting (a field is quoted when it contains the delimiter, a quote, CR or
// LF, or leading/trailing spaces; quotes are doubled), LF line ends, a header line, missing values
// as empty fields, floats as the shortest text that parses back to the same double (locale-
// independent), timestamps as `YYYY-MM-DD HH:MM:SS`. Output is atomic (core/file_util.h) and
// compressed by extension: .gz (zlib) or .zst (zstd).

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/table.h"

namespace upcamp {

struct CsvWriteOptions {
  char delimiter = ',';
  bool header = true;
  /// zstd level for .zst, zlib level for .gz.
  int compression_level = 3;
  /// Threads formatting the rows of WriteTable (the text is the same for any number).
  int threads = 1;
};

/// Streaming writer: header at Open, then rows (whole tables or pre-formatted text), then Commit.
/// Nothing appears at `path` until Commit() succeeds; destroying it uncommitted leaves no file.
class CsvWriter {
 public:
  static Result<std::unique_ptr<CsvWriter>> Open(const std::string& path,
                                                 const std::vector<std::string>& header,
                                                 const CsvWriteOptions& options = {});
  virtual ~CsvWriter() = default;

  /// Appends every row of `batch`, whose column names must equal the header.
  virtual Status WriteTable(const Table& batch) = 0;
  /// Appends already formatted CSV rows (each ending in '\n'), e.g. from a generator that
  /// formats rows in parallel. The caller guarantees the text is valid CSV for the header.
  virtual Status WriteRaw(std::string_view rows) = 0;
  virtual Status Commit() = 0;
  virtual uint64_t rows_written() const = 0;
};

/// Writes a whole table to `path` (atomic; compression by extension).
Status WriteCsv(const Table& table, const std::string& path, const CsvWriteOptions& options = {});

/// The table as CSV text (for tests, small outputs and stdout).
std::string TableToCsvString(const Table& table, const CsvWriteOptions& options = {});

/// Appends one field to `out`, quoted if needed.
void AppendCsvField(std::string& out, std::string_view field, char delimiter = ',');

}  // namespace upcamp

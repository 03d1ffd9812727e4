#pragma once
// The CSV reader for real retail logs: RFC 4180 (quoted fields, embedded delimiters, quotes and
// newlines, CRLF or LF), header-driven, schema-aware typed parsing, projection (only the columns
// asked for are materialized), gzip/zstd input by file extension, multi-threaded parsing.
//
// Semantics
// - The first record is the header; column names must be unique and non-empty.
// - An empty field (or "" quoted-empty) is missing for every type. Leading/trailing spaces are not
//   trimmed for strings; numbers, timestamps and bools accept no surrounding spaces.
// - int64: optional sign and digits. float64: decimal or scientific notation, "inf", "nan"
//   (nan is missing, see column.h). timestamp: `YYYY-MM-DD HH:MM:SS` or `YYYY-MM-DD`
//   (core/civil_time.h). bool: 0/1/true/false/True/False. string: any text, dictionary-encoded.
// - Columns without a declared type are inferred from the whole file: bool < int64 < float64,
//   timestamp, else string; an all-empty column is float64 (all missing).
// - Errors name the file, the physical line (1-based; the header is line 1; a quoted field with
//   newlines counts all its lines), the column (1-based index and name) and what was expected:
//     receipts.csv:1234:9 (column 'purchase_sum'): expected a number, got "12,5x"
//   Ragged rows (too few or too many fields) are errors too.
// - Results do not depend on the thread count: same rows, same values, same dictionary codes
//   (codes are assigned in order of first appearance in the file).

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/table.h"

namespace upcamp {

struct CsvReadOptions {
  /// Declared types by column name. Columns of the file not listed here are inferred.
  /// A listed column that the file lacks is an error only if it is also in `columns`.
  std::vector<Field> schema;
  /// If non-empty: read only these columns, in this order; a missing one is a data error
  /// naming the file and listing its header. Empty: every column, in file order.
  std::vector<std::string> columns;
  char delimiter = ',';
  /// Parsing threads (>= 1).
  int threads = 1;
  /// Bad rows tolerated (skipped, with a warning that counts them and shows the first) before the
  /// read fails. 0 (default) = fail at the first bad row.
  uint64_t max_errors = 0;
  /// Bytes per parsing block; each block is parsed by one thread. Tests make it small to force
  /// many block boundaries.
  size_t block_size = size_t{8} << 20;
  /// If set, only the rows in this range are kept; its column must be read (if `columns` lists
  /// any, among them) and declared a timestamp or int64 in `schema`. Dropped rows cost no
  /// dictionary work: their strings are never looked up, so string dictionaries hold (and codes
  /// number) only the values of kept rows. Their other fields are still parsed, so a bad value is
  /// an error wherever it is.
  std::optional<RowTimeRange> keep_rows;
  /// If set, receives the number of rows keep_rows dropped (bad rows skipped by max_errors are
  /// not counted).
  uint64_t* rows_dropped = nullptr;
  /// Shown in progress output ("reading receipts.csv"); no progress output if empty.
  std::string progress_label;
};

/// Reads a whole CSV file (.csv, .csv.gz, .csv.zst) into a table.
Result<Table> ReadCsv(const std::string& path, const CsvReadOptions& options);

/// Parses CSV text held in memory; `name` stands for the file name in error messages.
Result<Table> ReadCsvString(std::string_view text, const CsvReadOptions& options,
                            std::string_view name = "<input>");

/// Reads only the header: the column names in file order, split at `delimiter`.
Result<std::vector<std::string>> ReadCsvHeader(const std::string& path, char delimiter = ',');

/// Streams a CSV file as consecutive batches (file order), for inputs too large to hold whole.
/// Every batch has the same schema; types of undeclared columns are inferred from the first block
/// (a later value that does not fit is a data error naming its line). String columns of all
/// batches share one dictionary per column, so codes are comparable across batches.
/// `consume` may return an error to stop the read; that error is returned.
Status ReadCsvBatches(const std::string& path, const CsvReadOptions& options,
                      const std::function<Status(const Table& batch)>& consume);

}  // namespace upcamp

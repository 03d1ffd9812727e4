#pragma once
// The catalog: a small YAML file naming the reference tables (data/reference_schema.h) and
// where their files are. Reading a table through the catalog types its columns as the reference
// schema says, so every consumer sees the same types.
//
//   # catalog.yaml
//   tables:
//     client_profile: client_profile.csv        # a path, relative to this file's folder
//     products: {path: products.csv}            # or a mapping
//     purchases: {path: purchases.csv.zst, delimiter: ","}
//     campaigns: campaigns.csv.gz
//     receipts: receipts.ucol                   # optional, see below
//
// Keys: `tables` (required) and `description` (optional text). Table names must be reference
// table names; per table: `path` (required; absolute or relative to the catalog's folder;
// .csv, .csv.gz, .csv.zst or .ucol) and `delimiter` (CSV only, one character, default ",").
// Unknown keys, unknown table names and files that do not exist are config errors naming the
// catalog file, line and column.
//
// Derived receipts. When the catalog names `purchases` but no `receipts`, the receipts table is
// derived from purchases (PRODUCT.md §2):
// - one receipt per distinct (client_id, transaction_id), in order of first appearance;
//   a purchase line without client_id or transaction_id is a data error;
// - receipt-level columns are taken from the receipt's first line: transaction_datetime,
//   regular_points_received, express_points_received, regular_points_spent,
//   express_points_spent, purchase_sum, store_id. They repeat on every line of a receipt; lines
//   that disagree with their first line are counted and reported in one warning (the first
//   line's value is kept);
// - trn_sum_from_iss and trn_sum_from_red are the sums over the receipt's lines (missing lines
//   skipped; compensated summation in line order, as pandas' groupby sum), and missing when every
//   line of the receipt is missing.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/table.h"

namespace upcamp {

/// One table of a catalog.
struct CatalogTable {
  std::string name;      ///< a reference table name
  std::string path;      ///< resolved file path (empty for derived receipts)
  std::string where;     ///< "catalog.yaml:4:3", for messages
  char delimiter = ',';  ///< CSV files
  bool derived = false;  ///< receipts derived from purchases
};

struct CatalogReadOptions {
  /// If non-empty: only these columns, in this order (a missing one is a data error naming the
  /// file and listing its columns). Empty: every column of the file.
  std::vector<std::string> columns;
  /// Parsing / decompression threads (>= 1).
  int threads = 1;
  /// Show progress while reading large files (stderr; nothing when logging is quiet).
  bool progress = true;
  /// If set: only the rows in this range. Its column must be read (among `columns`, if any are
  /// listed) and be a timestamp column of the table. A CSV file's other rows are dropped while
  /// parsing, before any dictionary work (see CsvReadOptions::keep_rows); other files are read
  /// whole and then filtered.
  std::optional<RowTimeRange> keep_rows;
  /// If set, receives the number of rows keep_rows dropped.
  uint64_t* rows_dropped = nullptr;
};

class Catalog {
 public:
  /// Parses and validates `path` (keys, table names, that every named file exists).
  static Result<Catalog> Load(const std::string& path);
  /// As Load, from text; relative paths resolve against `base_dir`; `source` names the text in
  /// messages.
  static Result<Catalog> Parse(std::string_view yaml, const std::string& source,
                               const std::string& base_dir);

  /// The catalog file ("<memory>" sources: the `source` given to Parse).
  const std::string& path() const { return path_; }
  const std::string& description() const { return description_; }
  /// The tables as listed in the file, then derived receipts (if any).
  const std::vector<CatalogTable>& tables() const { return tables_; }
  /// The table or nullptr.
  const CatalogTable* Find(std::string_view name) const;
  bool Has(std::string_view name) const { return Find(name) != nullptr; }
  /// The file of a table (for derived receipts: the purchases file), or a config error that
  /// names the catalog and lists its tables.
  Result<std::string> TablePath(std::string_view name) const;

  /// Reads a whole table, typed by the reference schema (derived receipts are computed).
  Result<Table> ReadTable(std::string_view name, const CatalogReadOptions& options = {}) const;

  /// Streams a table as consecutive batches in file order; string columns share one dictionary
  /// per column across the batches. Derived receipts and .ucol files come as one batch.
  Status ScanTable(std::string_view name, const CatalogReadOptions& options,
                   const std::function<Status(const Table& batch)>& consume) const;

 private:
  Result<const CatalogTable*> Get(std::string_view name) const;

  std::string path_;
  std::string description_;
  std::vector<CatalogTable> tables_;
};

/// Groups purchase lines into receipts by the rule in the header comment above. Feed batches in
/// file order; batches must share their string dictionaries (as ReadCsvBatches' batches do).
class ReceiptsBuilder {
 public:
  /// `columns`: the receipt columns to produce, in this order (empty: every receipts column of
  /// the reference schema). client_id and transaction_id are read from the batches in any case.
  /// `what` names the purchases source in messages.
  explicit ReceiptsBuilder(std::vector<std::string> columns, std::string what = "purchases");
  ~ReceiptsBuilder();
  ReceiptsBuilder(const ReceiptsBuilder&) = delete;
  ReceiptsBuilder& operator=(const ReceiptsBuilder&) = delete;

  /// The purchases columns the builder needs for `columns`.
  const std::vector<std::string>& input_columns() const;
  Status Add(const Table& purchases);
  /// The receipts; logs one warning per receipt-level column whose lines disagreed.
  Result<Table> Finish();

  /// Purchase lines (after the first of their receipt) that disagreed on `column`.
  uint64_t mismatches(std::string_view column) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Derives receipts from a whole purchases table (see ReceiptsBuilder).
Result<Table> DeriveReceipts(const Table& purchases, const std::vector<std::string>& columns = {},
                             const std::string& what = "purchases");

}  // namespace upcamp

#pragma once
// The in-memory columnar table: named typed columns of equal length. Tables are values (cheap to
// move); stages pass them around and read columns through zero-copy spans.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "data/column.h"

namespace upcamp {

/// A column's name and type: the unit of a schema.
struct Field {
  std::string name;
  DataType type;
  bool operator==(const Field&) const = default;
};
using Schema = std::vector<Field>;

/// The rows whose value in a timestamp (or int64) column lies in [from, to); a row with the value
/// missing is not among them.
struct RowTimeRange {
  std::string column;
  int64_t from = 0;
  int64_t to = 0;

  /// Whether a value of the column (kNullInt64: missing) is in the range.
  bool Contains(int64_t v) const { return v != kNullInt64 && v >= from && v < to; }
};

class Table {
 public:
  Table() = default;
  /// Validates equal lengths and unique, non-empty names.
  static Result<Table> Make(std::vector<Column> columns);

  size_t num_rows() const { return num_rows_; }
  size_t num_columns() const { return columns_.size(); }
  const Column& column(size_t i) const { return columns_[i]; }
  Column& mutable_column(size_t i) { return columns_[i]; }
  const std::vector<Column>& columns() const { return columns_; }
  Schema schema() const;
  std::vector<std::string> ColumnNames() const;

  /// Index of a column, or -1.
  int FindColumnIndex(std::string_view name) const;
  /// The column or nullptr.
  const Column* FindColumn(std::string_view name) const;
  /// The column, or a data error naming `what` (e.g. the file) and the available columns.
  Result<const Column*> GetColumn(std::string_view name, std::string_view what = "table") const;

  /// Appends a column; its length must match (any length for the first column).
  Status AddColumn(Column column);
  /// Replaces a same-named column or appends.
  Status SetColumn(Column column);
  /// Removes a column by name; false if absent.
  bool RemoveColumn(std::string_view name);

  /// Rows `rows` in that order.
  Table TakeRows(std::span<const int64_t> rows) const;
  /// The named columns in that order (error if one is missing).
  Result<Table> SelectColumns(const std::vector<std::string>& names) const;

  /// Stacks tables with identical schemas (string dictionaries are merged and codes remapped).
  static Result<Table> Concatenate(const std::vector<Table>& parts);

 private:
  std::vector<Column> columns_;
  size_t num_rows_ = 0;
};

}  // namespace upcamp

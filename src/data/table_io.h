#pragma once
// Reading and writing a table file whatever its format, chosen by extension: `.ucol` (binary
// columnar, data/ucol.h) or CSV (`.csv`, optionally `.gz` / `.zst` compressed). The commands use
// these so every input and output of upcamp accepts both.

#include <string>
#include <vector>

#include "core/context.h"
#include "core/status.h"
#include "data/table.h"

namespace upcamp {

struct TableReadOptions {
  /// Only these columns, in this order (empty: all).
  std::vector<std::string> columns;
  /// Declared types for CSV columns (others are inferred); ignored for .ucol.
  Schema schema;
  /// Label for progress output of large CSV files (empty: none).
  std::string progress_label;
};

Result<Table> ReadTableFile(const std::string& path, const TableReadOptions& options,
                            const Context& ctx);

/// Writes atomically; CSV floats are shortest round-trip text, .ucol is exact.
Status WriteTableFile(const Table& table, const std::string& path, const Context& ctx);

}  // namespace upcamp

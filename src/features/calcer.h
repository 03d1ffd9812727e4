#pragma once
// A feature calcer computes named columns per client from the retail tables as of `date_to`
// (PRODUCT.md §3). A Calcer is an immutable description (name, typed args, the table columns it
// reads, the columns it writes); the work happens in a CalcerState that the extraction engine
// (engine.h) feeds with batches of rows, table by table, in one pass per table shared by all
// calcers of a config. Calcers see batches, never single rows through a virtual call.

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/table.h"

namespace upcamp {

/// The reference tables, in the order the engine scans them: dimension tables first, so a calcer
/// reading products (e.g. to map product → category) has them before the purchases arrive.
enum class SourceTable { kClientProfile = 0, kProducts, kCampaigns, kReceipts, kPurchases };
inline constexpr int kNumSourceTables = 5;
const char* SourceTableName(SourceTable t);

/// Columns a calcer reads from one table (the engine reads the union over calcers, once).
struct TableInput {
  SourceTable table;
  std::vector<std::string> columns;
};

/// Run-wide parameters shared by every calcer of an extraction.
struct FeatureParams {
  /// Timestamp (seconds) of the midnight that ends every window; nothing at or after it is seen.
  int64_t date_to = 0;
};

/// Which partition of `num_partitions` the dense client index `c` belongs to: runs of
/// kClientsPerPartitionRun consecutive clients, dealt out in turn. Runs (rather than c % n) keep
/// threads consuming one batch off each other's cache lines: rows arrive roughly in client
/// order, so with c % n the threads would write to neighbouring clients' accumulators at once.
inline constexpr uint32_t kClientsPerPartitionRun = 64;
inline int PartitionOf(int32_t c, int num_partitions) {
  return static_cast<int>(static_cast<uint32_t>(c) / kClientsPerPartitionRun %
                          static_cast<uint32_t>(num_partitions));
}

/// Rows of one batch that belong to one partition of clients, with their dense client indices.
/// Rows are in file order; every row's client c satisfies PartitionOf(c, num_partitions) ==
/// partition, so several threads may consume the same batch at once, each touching only its
/// clients.
struct BatchRows {
  const Table& batch;               ///< the requested columns of this batch (engine's union)
  std::span<const int32_t> client;  ///< dense client index per batch row (-1: not a client)
  std::span<const uint32_t> rows;   ///< the batch rows of this partition
  int partition = 0;
  int num_partitions = 1;
};

/// What a calcer produced: one value per dense client index in every column, and which clients
/// it has a row for (an outer join over calcers decides the clients of the result).
struct CalcerOutput {
  std::vector<Column> columns;
  std::vector<uint8_t> present;
};

class CalcerState {
 public:
  virtual ~CalcerState() = default;
  /// If every row of `table` outside a time range is ignored by Consume (no accumulator, no
  /// presence flag depends on it), that range; the engine then may leave such rows out of the
  /// batches (when every reader of the table has a range: it keeps the union's hull, so states
  /// still test their own windows), and the source may skip them while parsing. Client indices
  /// are assigned in order of first appearance among the rows kept.
  virtual std::optional<RowTimeRange> RowsUsed(SourceTable) const { return std::nullopt; }
  /// The number of clients grew to `num_clients` (called single-threaded, before the batch that
  /// needs it): resize per-client accumulators.
  virtual void Grow(size_t num_clients) = 0;
  /// A batch of `table`. For tables without client_id (products) `rows` is every row, one
  /// partition, client all -1. For per-client tables the engine may call this concurrently for
  /// different partitions of the same batch.
  virtual Status Consume(SourceTable table, const BatchRows& rows) = 0;
  /// Final columns for `num_clients` clients (dense order).
  virtual Result<CalcerOutput> Finish(size_t num_clients) = 0;
};

class Calcer {
 public:
  virtual ~Calcer() = default;
  /// Registry name, e.g. "receipts_basic".
  virtual const std::string& name() const = 0;
  /// The arguments with defaults filled in, as written back to configs and bundles.
  virtual nlohmann::json args() const = 0;
  virtual std::vector<TableInput> Inputs() const = 0;
  /// Output columns (names and types) in order.
  virtual Schema OutputSchema() const = 0;
  /// Target calcers (e.g. target_from_campaigns) are dropped from a model's serving config.
  virtual bool is_target() const { return false; }
  virtual std::unique_ptr<CalcerState> Start(const FeatureParams& params) const = 0;
};

// ---- helpers for calcer implementations -------------------------------------------------------

/// The window [date_to − delta days, date_to) in seconds.
struct TimeWindow {
  int64_t from = 0, to = 0;
  static TimeWindow Days(int64_t date_to, int64_t delta_days) {
    return {date_to - delta_days * 86400, date_to};
  }
  bool Contains(int64_t t) const { return t != kNullInt64 && t >= from && t < to; }
};

}  // namespace upcamp

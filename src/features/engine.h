#pragma once
// The feature extraction engine: plans the reads of a feature config (each table once, only the
// union of the columns its calcers need), maps client keys to dense indices in one dictionary
// pass, feeds every batch to every calcer that reads the table (clients partitioned across
// threads, so per-client accumulators need no locks and results do not depend on the thread
// count), and outer-joins the calcers' outputs on client_id.

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/context.h"
#include "core/status.h"
#include "data/catalog.h"
#include "data/table.h"
#include "features/calcer.h"

namespace upcamp {

/// What the engine reads of a table.
struct ScanRequest {
  std::vector<std::string> columns;
  /// If set, the engine uses only the rows in this range (its column is among `columns`): a
  /// source may leave the others out, and saves their parse if it can.
  std::optional<RowTimeRange> rows_used;
};

/// Where the engine gets table batches from: a catalog of files, or tables in memory (tests).
class TableSource {
 public:
  virtual ~TableSource() = default;
  virtual bool Has(SourceTable table) const = 0;
  /// Streams the requested columns of `table` (typed as the reference schema says) as
  /// consecutive batches; returns the number of rows it left out (see ScanRequest::rows_used).
  /// String columns must share one dictionary across the batches of a scan.
  virtual Result<uint64_t> Scan(SourceTable table, const ScanRequest& request, const Context& ctx,
                                const std::function<Status(const Table& batch)>& consume) const = 0;
  /// A name for messages ("data/catalog.yaml").
  virtual std::string name() const = 0;
  /// Whether Scan shows progress of its own for `table` (the CSV reader's bytes); if not, the
  /// engine shows rows consumed.
  virtual bool ScanShowsProgress(SourceTable) const { return false; }
};

/// Tables held in memory; Scan serves them in batches of `batch_rows` rows (so tests can cross
/// batch boundaries), every row (it leaves none out, so the engine's own row test is what
/// tests see).
class InMemorySource : public TableSource {
 public:
  explicit InMemorySource(size_t batch_rows = 1 << 20) : batch_rows_(batch_rows) {}
  void Set(SourceTable table, Table data);
  bool Has(SourceTable table) const override;
  Result<uint64_t> Scan(SourceTable table, const ScanRequest& request, const Context& ctx,
                        const std::function<Status(const Table&)>& consume) const override;
  std::string name() const override { return "<memory>"; }

 private:
  size_t batch_rows_;
  std::array<std::optional<Table>, kNumSourceTables> tables_;
};

/// The tables of a catalog.yaml (receipts derived from purchases when the catalog has none).
/// Rows outside ScanRequest::rows_used are left out (a CSV file's while it is parsed).
class CatalogSource : public TableSource {
 public:
  explicit CatalogSource(const Catalog& catalog) : catalog_(catalog) {}
  bool Has(SourceTable table) const override;
  Result<uint64_t> Scan(SourceTable table, const ScanRequest& request, const Context& ctx,
                        const std::function<Status(const Table&)>& consume) const override;
  std::string name() const override { return catalog_.path(); }
  bool ScanShowsProgress(SourceTable table) const override;

 private:
  const Catalog& catalog_;
};

struct ExtractOptions {
  FeatureParams params;
  /// If set: exactly these clients, in this order, one row each (all-missing when no calcer has
  /// data for one); rows of other clients are skipped while reading. Else: the outer join of the
  /// calcers' clients, in order of first appearance in the rows the calcers use (client_profile
  /// first).
  std::optional<std::vector<std::string>> clients;
};

/// Runs `calcers` over `source`; the result has `client_id` (string) then every calcer's columns
/// in config order. Two calcers producing the same column name is a config error.
Result<Table> ExtractFeatures(const std::vector<std::unique_ptr<Calcer>>& calcers,
                              const TableSource& source, const ExtractOptions& options,
                              const Context& ctx);

}  // namespace upcamp

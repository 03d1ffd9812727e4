#include "features/engine.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <span>

#include "core/log.h"
#include "core/parallel.h"
#include "data/ucol.h"

namespace upcamp {

const char* SourceTableName(SourceTable t) {
  switch (t) {
    case SourceTable::kClientProfile:
      return "client_profile";
    case SourceTable::kProducts:
      return "products";
    case SourceTable::kCampaigns:
      return "campaigns";
    case SourceTable::kReceipts:
      return "receipts";
    case SourceTable::kPurchases:
      return "purchases";
  }
  return "?";
}

void InMemorySource::Set(SourceTable table, Table data) {
  tables_[static_cast<size_t>(table)] = std::move(data);
}

bool InMemorySource::Has(SourceTable table) const {
  return tables_[static_cast<size_t>(table)].has_value();
}

Result<uint64_t> InMemorySource::Scan(SourceTable table, const ScanRequest& request, const Context&,
                                      const std::function<Status(const Table&)>& consume) const {
  const auto& t = tables_[static_cast<size_t>(table)];
  if (!t) return Status::Data("no table '{}'", SourceTableName(table));
  UPCAMP_ASSIGN_OR_RETURN(Table selected, t->SelectColumns(request.columns));
  const size_t n = selected.num_rows();
  if (n <= batch_rows_) {
    UPCAMP_RETURN_IF_ERROR(consume(selected));
    return uint64_t{0};
  }
  std::vector<int64_t> rows;
  for (size_t begin = 0; begin < n; begin += batch_rows_) {
    const size_t end = std::min(n, begin + batch_rows_);
    rows.resize(end - begin);
    for (size_t i = begin; i < end; ++i) rows[i - begin] = static_cast<int64_t>(i);
    UPCAMP_RETURN_IF_ERROR(consume(selected.TakeRows(rows)));  // shares the dictionaries
  }
  return uint64_t{0};
}

bool CatalogSource::Has(SourceTable table) const {
  return catalog_.Has(SourceTableName(table));
}

bool CatalogSource::ScanShowsProgress(SourceTable table) const {
  // ScanTable streams CSV files through the reader's progress; .ucol files and the receipts
  // derived from purchases are read whole, without it.
  const CatalogTable* t = catalog_.Find(SourceTableName(table));
  return t != nullptr && !t->derived && !IsUcolPath(t->path);
}

Result<uint64_t> CatalogSource::Scan(SourceTable table, const ScanRequest& request,
                                     const Context& ctx,
                                     const std::function<Status(const Table&)>& consume) const {
  CatalogReadOptions options;
  options.columns = request.columns;
  options.threads = ctx.threads;
  options.progress = !ctx.quiet;
  options.keep_rows = request.rows_used;
  uint64_t dropped = 0;
  options.rows_dropped = &dropped;
  UPCAMP_RETURN_IF_ERROR(catalog_.ScanTable(SourceTableName(table), options, consume));
  return dropped;
}

namespace {

constexpr const char* kClientId = "client_id";

// Client keys → dense indices, shared by every table of an extraction.
class ClientMapper {
 public:
  explicit ClientMapper(const std::optional<std::vector<std::string>>& fixed)
      : keys_(std::make_shared<StringDictionary>()) {
    if (fixed) {
      fixed_ = true;
      for (const auto& k : *fixed) keys_->GetOrAdd(k);
    }
  }
  size_t size() const { return static_cast<size_t>(keys_->size()); }
  bool fixed() const { return fixed_; }
  const StringDictionary& keys() const { return *keys_; }
  /// The keys by dense index, for the result's client_id column (the mapper is done then).
  std::shared_ptr<StringDictionary> TakeKeys() { return std::move(keys_); }

  // Starts a new table scan: batch dictionaries are only comparable within one scan.
  void BeginScan() {
    dict_ = nullptr;
    code_to_client_.clear();
  }

  // Extends the code → client map over the dictionary of a batch's client_id column. A new code
  // stays kUnmapped until a row the calcers use has it (Map): dense indices follow the first
  // appearance of a key among the rows used, so they do not depend on which rows outside the
  // calcers' time ranges a source left out.
  Status Extend(const Column& ids, bool every_row_used) {
    if (ids.type() != DataType::kString) {
      return Status::Runtime("client_id must be read as a string column");
    }
    const StringDictionary* dict = &ids.dictionary();
    if (dict != dict_) {  // a new dictionary: mappings of the old one do not apply
      dict_ = dict;
      code_to_client_.clear();
    }
    if (!fixed_ && every_row_used && keys_->size() == 0 && code_to_client_.empty() &&
        dict->size() > 0) {
      // The first client table (usually the profile), every row used: its dictionary (codes in
      // order of first appearance) is the key set so far, code for code, so it is copied (table
      // and bytes) instead of hashed key by key.
      *keys_ = *dict;
      code_to_client_.resize(static_cast<size_t>(dict->size()));
      std::iota(code_to_client_.begin(), code_to_client_.end(), 0);
    }
    code_to_client_.resize(static_cast<size_t>(dict->size()), kUnmapped);
    return Status::Ok();
  }

  // Client of a (non-null) code of the column last passed to Extend; -1 if not a client,
  // kUnmapped if no used row has had it yet.
  const std::vector<int32_t>& code_to_client() const { return code_to_client_; }

  // Maps a kUnmapped code (its first used row): the key's dense index, a new one unless fixed.
  int32_t Map(int32_t code) {
    const std::string_view key = dict_->Get(code);
    const int32_t client = fixed_ ? keys_->Find(key) : keys_->GetOrAdd(key);
    code_to_client_[static_cast<size_t>(code)] = client;
    return client;
  }

  static constexpr int32_t kUnmapped = -2;

 private:
  bool fixed_ = false;
  std::shared_ptr<StringDictionary> keys_;
  const StringDictionary* dict_ = nullptr;
  std::vector<int32_t> code_to_client_;
};

// Rows with a client (>= 0) by partition (PartitionOf), in row order; returns their number. Rows
// are counted first, then written through plain pointers (a push_back per row was most of this
// loop's time); `part` is PartitionOf with the divisions resolved outside the loop.
template <typename Part>
size_t SplitRows(std::span<const int32_t> client, Part part,
                 std::vector<std::vector<uint32_t>>& out) {
  std::vector<size_t> counts(out.size(), 0);
  for (const int32_t c : client) {
    if (c >= 0) ++counts[part(static_cast<uint32_t>(c))];
  }
  std::vector<uint32_t*> next(out.size());
  size_t total = 0;
  for (size_t p = 0; p < out.size(); ++p) {
    out[p].resize(counts[p]);
    next[p] = out[p].data();
    total += counts[p];
  }
  for (size_t i = 0; i < client.size(); ++i) {
    const int32_t c = client[i];
    if (c >= 0) *next[part(static_cast<uint32_t>(c))]++ = static_cast<uint32_t>(i);
  }
  return total;
}

size_t SplitByPartition(std::span<const int32_t> client, std::vector<std::vector<uint32_t>>& out) {
  const auto parts = static_cast<uint32_t>(out.size());
  if (parts == 1)
    return SplitRows(
        client, [](uint32_t) { return size_t{0}; }, out);
  if ((parts & (parts - 1)) == 0) {  // the usual thread counts: a mask, not a division per row
    const uint32_t mask = parts - 1;
    return SplitRows(
        client, [mask](uint32_t c) { return size_t{c / kClientsPerPartitionRun & mask}; }, out);
  }
  return SplitRows(
      client, [parts](uint32_t c) { return size_t{c / kClientsPerPartitionRun % parts}; }, out);
}

// The hull of the time ranges the readers of a table use, if every one of them declares one on
// the same column (else every row is consumed).
std::optional<RowTimeRange> TableRowRange(SourceTable table, const std::vector<size_t>& readers,
                                          const std::vector<std::unique_ptr<CalcerState>>& states) {
  std::optional<RowTimeRange> hull;
  for (size_t ci : readers) {
    std::optional<RowTimeRange> r = states[ci]->RowsUsed(table);
    if (!r || (hull && hull->column != r->column)) return std::nullopt;
    if (!hull) {
      hull = std::move(r);
    } else {
      hull->from = std::min(hull->from, r->from);
      hull->to = std::max(hull->to, r->to);
    }
  }
  return hull;
}

}  // namespace

Result<Table> ExtractFeatures(const std::vector<std::unique_ptr<Calcer>>& calcers,
                              const TableSource& source, const ExtractOptions& options,
                              const Context& ctx) {
  if (calcers.empty()) return Status::Config("the feature config lists no calcers");

  // Output column names must be unique across calcers.
  {
    std::map<std::string, std::string> owner;
    for (const auto& c : calcers) {
      for (const auto& f : c->OutputSchema()) {
        auto [it, inserted] = owner.emplace(f.name, c->name());
        if (f.name == kClientId) {
          return Status::Config("calcer {} produces a column named client_id, which is reserved",
                                c->name());
        }
        if (!inserted) {
          return Status::Config(
              "feature column '{}' is produced twice (by {} and {}); remove the duplicate calcer",
              f.name, it->second, c->name());
        }
      }
    }
  }

  // Plan: the union of the columns each table is read for, and who reads it.
  std::array<std::vector<std::string>, kNumSourceTables> columns;
  std::array<std::vector<size_t>, kNumSourceTables> readers;
  for (size_t ci = 0; ci < calcers.size(); ++ci) {
    for (const auto& in : calcers[ci]->Inputs()) {
      auto& cols = columns[static_cast<size_t>(in.table)];
      for (const auto& col : in.columns) {
        if (std::find(cols.begin(), cols.end(), col) == cols.end()) cols.push_back(col);
      }
      auto& r = readers[static_cast<size_t>(in.table)];
      if (std::find(r.begin(), r.end(), ci) == r.end()) r.push_back(ci);
    }
  }

  std::vector<std::unique_ptr<CalcerState>> states;
  for (const auto& c : calcers) states.push_back(c->Start(options.params));

  ClientMapper clients(options.clients);
  if (options.clients && clients.size() != options.clients->size()) {
    StringDictionary seen;
    for (size_t i = 0; i < options.clients->size(); ++i) {
      const std::string& key = (*options.clients)[i];
      if (seen.Find(key) != kNullCode) {
        return Status::Data("client list: client_id '{}' appears more than once (entry {})", key,
                            i + 1);
      }
      seen.GetOrAdd(key);
    }
  }
  // The client base comes first, so dense order starts with client_profile order.
  const bool has_profile = source.Has(SourceTable::kClientProfile);
  if (has_profile && !clients.fixed()) {
    auto& cols = columns[static_cast<size_t>(SourceTable::kClientProfile)];
    if (cols.empty()) cols.push_back(kClientId);
  }
  size_t known_clients = 0;
  for (auto& s : states) s->Grow(clients.size());
  known_clients = clients.size();

  const int partitions = std::max(1, ctx.threads);
  std::vector<int32_t> client_of_row;
  std::vector<std::vector<uint32_t>> partition_rows(static_cast<size_t>(partitions));

  for (int t = 0; t < kNumSourceTables; ++t) {
    const auto table = static_cast<SourceTable>(t);
    auto& cols = columns[static_cast<size_t>(t)];
    if (cols.empty()) continue;
    if (!source.Has(table)) {
      std::vector<std::string> names;
      for (size_t ci : readers[static_cast<size_t>(t)]) names.push_back(calcers[ci]->name());
      return Status::Config("{}: no table '{}', which calcer(s) {} need", source.name(),
                            SourceTableName(table), fmt::join(names, ", "));
    }
    const bool per_client = table != SourceTable::kProducts;
    if (per_client && std::find(cols.begin(), cols.end(), kClientId) == cols.end()) {
      cols.insert(cols.begin(), kClientId);
    }
    clients.BeginScan();
    uint64_t rows_seen = 0, rows_used = 0;
    const std::vector<size_t>& table_readers = readers[static_cast<size_t>(t)];
    // Rows outside every reader's time range are dropped before they are partitioned (they
    // would be skipped by each calcer's own window test anyway).
    const std::optional<RowTimeRange> range =
        per_client ? TableRowRange(table, table_readers, states) : std::nullopt;
    if (range && std::find(cols.begin(), cols.end(), range->column) == cols.end()) {
      return Status::Runtime("calcers of {} use rows by '{}' but do not read that column",
                             SourceTableName(table), range->column);
    }
    std::vector<std::string> reader_names;
    for (size_t ci : table_readers) reader_names.push_back(calcers[ci]->name());
    spdlog::info("features: reading {} ({}) for {}", SourceTableName(table), fmt::join(cols, ", "),
                 fmt::join(reader_names, ", "));
    const auto scan_start = std::chrono::steady_clock::now();
    std::optional<Progress> progress;
    if (!source.ScanShowsProgress(table)) {
      progress.emplace(fmt::format("features: {}", SourceTableName(table)), 0, "rows");
    }
    ScanRequest request{cols, range};
    UPCAMP_ASSIGN_OR_RETURN(
        const uint64_t rows_left_out,
        source.Scan(table, request, ctx, [&](const Table& batch) -> Status {
          const size_t n = batch.num_rows();
          rows_seen += n;
          if (progress) progress->Add(n);
          for (auto& pr : partition_rows) pr.clear();
          if (per_client) {
            UPCAMP_ASSIGN_OR_RETURN(const Column* ids,
                                    batch.GetColumn(kClientId, SourceTableName(table)));
            UPCAMP_RETURN_IF_ERROR(clients.Extend(*ids, /*every_row_used=*/!range));
            // Client per row (-1: not a client, or outside the rows used), then rows by partition.
            const std::vector<int32_t>& code_client = clients.code_to_client();
            const auto codes = ids->codes();
            client_of_row.resize(n);
            auto client_of = [&](int32_t code) {
              const int32_t c = code_client[static_cast<size_t>(code)];
              return c != ClientMapper::kUnmapped ? c : clients.Map(code);
            };
            if (range) {
              UPCAMP_ASSIGN_OR_RETURN(const Column* time_col,
                                      batch.GetColumn(range->column, SourceTableName(table)));
              if (time_col->type() != DataType::kTimestamp &&
                  time_col->type() != DataType::kInt64) {
                return Status::Runtime("{}.{} must be read as a timestamp column",
                                       SourceTableName(table), range->column);
              }
              const auto times = time_col->int64s();
              for (size_t i = 0; i < n; ++i) {
                const bool in = range->Contains(times[i]) && codes[i] != kNullCode;
                client_of_row[i] = in ? client_of(codes[i]) : -1;
              }
            } else {
              for (size_t i = 0; i < n; ++i) {
                client_of_row[i] = codes[i] == kNullCode ? -1 : client_of(codes[i]);
              }
            }
            if (clients.size() != known_clients) {
              for (auto& s : states) s->Grow(clients.size());
              known_clients = clients.size();
            }
            rows_used += SplitByPartition(client_of_row, partition_rows);
          } else {
            client_of_row.assign(n, -1);
            partition_rows[0].resize(n);
            for (size_t i = 0; i < n; ++i) partition_rows[0][i] = static_cast<uint32_t>(i);
            rows_used += n;
          }
          const int used_partitions = per_client ? partitions : 1;
          const size_t tasks = table_readers.size() * static_cast<size_t>(used_partitions);
          return ParallelForStatus(ctx.threads, tasks, [&](size_t task, int) -> Status {
            const size_t ci = table_readers[task / static_cast<size_t>(used_partitions)];
            const int p = static_cast<int>(task % static_cast<size_t>(used_partitions));
            BatchRows br{batch, client_of_row, partition_rows[static_cast<size_t>(p)], p,
                         used_partitions};
            return states[ci]->Consume(table, br);
          });
        }));
    rows_seen += rows_left_out;
    if (progress) progress->Finish();
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - scan_start).count();
    if (range) {
      spdlog::info(
          "features: {} rows of {} ({} in the calcers' time range) consumed by {} "
          "calcer(s) in {:.1f} s, {} clients so far",
          rows_seen, SourceTableName(table), rows_used, table_readers.size(), secs, clients.size());
    } else {
      spdlog::info(
          "features: {} rows of {} consumed by {} calcer(s) in {:.1f} s, {} clients so far",
          rows_seen, SourceTableName(table), table_readers.size(), secs, clients.size());
    }
  }

  // Finish (calcers in parallel: each owns its state) and outer-join.
  const auto finish_start = std::chrono::steady_clock::now();
  const size_t n_clients = clients.size();
  std::vector<CalcerOutput> outputs(calcers.size());
  UPCAMP_RETURN_IF_ERROR(
      ParallelForStatus(ctx.threads, calcers.size(), [&](size_t ci, int) -> Status {
        UPCAMP_ASSIGN_OR_RETURN(outputs[ci], states[ci]->Finish(n_clients));
        return Status::Ok();
      }));
  std::vector<uint8_t> keep(n_clients, clients.fixed() ? 1 : 0);
  for (size_t ci = 0; ci < calcers.size(); ++ci) {
    const CalcerOutput& out = outputs[ci];
    if (out.present.size() != n_clients) {
      return Status::Runtime("calcer {} returned {} presence flags for {} clients",
                             calcers[ci]->name(), out.present.size(), n_clients);
    }
    for (const Column& col : out.columns) {
      if (col.size() != n_clients) {
        return Status::Runtime("calcer column '{}' has {} rows for {} clients", col.name(),
                               col.size(), n_clients);
      }
    }
    if (!clients.fixed()) {
      for (size_t i = 0; i < n_clients; ++i) keep[i] |= out.present[i];
    }
  }
  const auto finished = std::chrono::steady_clock::now();
  std::vector<int64_t> rows;
  for (size_t i = 0; i < n_clients; ++i) {
    if (keep[i]) rows.push_back(static_cast<int64_t>(i));
  }
  // Usually every client is kept: then the calcers' columns are the result's as they are, and
  // the client keys in dense order are the client_id dictionary (codes 0..n-1), which is what
  // adding the kept keys in order would build.
  const bool all_kept = rows.size() == n_clients;
  std::vector<Column> result_columns;
  {
    auto dict = all_kept ? clients.TakeKeys() : std::make_shared<StringDictionary>();
    std::vector<int32_t> codes;
    codes.reserve(rows.size());
    for (int64_t r : rows) {
      codes.push_back(all_kept ? static_cast<int32_t>(r)
                               : dict->GetOrAdd(clients.keys().Get(static_cast<int32_t>(r))));
    }
    result_columns.push_back(Column::String(kClientId, std::move(codes), std::move(dict)));
  }
  std::vector<Column*> calcer_columns;
  for (auto& out : outputs) {
    for (auto& col : out.columns) calcer_columns.push_back(&col);
  }
  result_columns.resize(1 + calcer_columns.size());
  ParallelFor(ctx.threads, calcer_columns.size(), [&](size_t i, int) {
    result_columns[1 + i] =
        all_kept ? std::move(*calcer_columns[i]) : calcer_columns[i]->Take(rows);
  });
  Table result;
  for (auto& col : result_columns) UPCAMP_RETURN_IF_ERROR(result.AddColumn(std::move(col)));
  const auto now = std::chrono::steady_clock::now();
  spdlog::debug("features: calcers finished in {:.2f} s, joined in {:.2f} s",
                std::chrono::duration<double>(finished - finish_start).count(),
                std::chrono::duration<double>(now - finished).count());
  return result;
}

}  // namespace upcamp

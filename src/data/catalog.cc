#include "data/catalog.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <span>

#include "core/config.h"
#include "core/file_util.h"
#include "core/log.h"
#include "data/client_index.h"
#include "data/csv_reader.h"
#include "data/reference_schema.h"
#include "data/ucol.h"

namespace upcamp {
namespace {

constexpr std::string_view kReceipts = "receipts";
constexpr std::string_view kPurchases = "purchases";

// Receipt columns that repeat on every purchase line (taken from the first line) and the ones
// summed over the lines. client_id and transaction_id are the grouping key.
constexpr std::string_view kFirstLineColumns[] = {"client_id",
                                                  "transaction_id",
                                                  "transaction_datetime",
                                                  "regular_points_received",
                                                  "express_points_received",
                                                  "regular_points_spent",
                                                  "express_points_spent",
                                                  "purchase_sum",
                                                  "store_id"};
constexpr std::string_view kSummedColumns[] = {"trn_sum_from_iss", "trn_sum_from_red"};

bool IsFirstLineColumn(std::string_view name) {
  return std::find(std::begin(kFirstLineColumns), std::end(kFirstLineColumns), name) !=
         std::end(kFirstLineColumns);
}
bool IsSummedColumn(std::string_view name) {
  return std::find(std::begin(kSummedColumns), std::end(kSummedColumns), name) !=
         std::end(kSummedColumns);
}

// Open-addressing map from a (client code, transaction code) pair to a receipt number.
class PairIndex {
 public:
  PairIndex() { Rehash(size_t{1} << 16); }

  /// The value of `key`, inserting `value_if_new` if absent (then *inserted = true).
  int32_t FindOrInsert(uint64_t key, int32_t value_if_new, bool* inserted) {
    if ((size_ + 1) * 2 > keys_.size()) Rehash(keys_.size() * 2);
    size_t slot = Slot(key);
    while (true) {
      if (keys_[slot] == kEmpty) {
        keys_[slot] = key;
        values_[slot] = value_if_new;
        ++size_;
        *inserted = true;
        return value_if_new;
      }
      if (keys_[slot] == key) {
        *inserted = false;
        return values_[slot];
      }
      slot = (slot + 1) & mask_;
    }
  }

 private:
  // Keys are two non-negative int32 codes, so the top bit is never set in a real key.
  static constexpr uint64_t kEmpty = ~uint64_t{0};

  size_t Slot(uint64_t key) const { return (key * 0x9E3779B97F4A7C15ULL) >> shift_; }

  void Rehash(size_t capacity) {
    std::vector<uint64_t> old_keys = std::move(keys_);
    std::vector<int32_t> old_values = std::move(values_);
    keys_.assign(capacity, kEmpty);
    values_.assign(capacity, 0);
    mask_ = capacity - 1;
    shift_ = 64 - std::countr_zero(capacity);
    for (size_t i = 0; i < old_keys.size(); ++i) {
      if (old_keys[i] == kEmpty) continue;
      size_t slot = Slot(old_keys[i]);
      while (keys_[slot] != kEmpty) slot = (slot + 1) & mask_;
      keys_[slot] = old_keys[i];
      values_[slot] = old_values[i];
    }
  }

  std::vector<uint64_t> keys_;
  std::vector<int32_t> values_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

// A receipt-level column taken from each receipt's first line.
struct FirstLineColumn {
  std::string name;
  bool typed = false;  // type and dictionary fixed by the first batch
  DataType type = DataType::kFloat64;
  std::vector<int64_t> i64;
  std::vector<double> f64;
  std::vector<int32_t> codes;
  std::vector<uint8_t> u8;
  std::shared_ptr<StringDictionary> dictionary;
  uint64_t mismatches = 0;
  uint64_t first_mismatch_row = 0;  // 1-based data row
};

struct SummedColumn {
  std::string name;
  std::vector<double> sums;          // NaN until the receipt's first non-missing line
  std::vector<double> compensation;  // Kahan summation, as pandas' groupby sum does
};

template <typename T, typename Same>
void TakeFirstOrCompare(std::span<const T> values, const std::vector<int32_t>& rid,
                        const std::vector<uint8_t>& is_new, std::vector<T>& out, Same same,
                        uint64_t row_base, FirstLineColumn& col) {
  for (size_t r = 0; r < values.size(); ++r) {
    if (is_new[r]) {
      out.push_back(values[r]);
    } else if (!same(out[static_cast<size_t>(rid[r])], values[r])) {
      if (col.mismatches++ == 0) col.first_mismatch_row = row_base + r + 1;
    }
  }
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// ReceiptsBuilder

struct ReceiptsBuilder::State {
  std::string what;
  Status init_error;
  std::vector<std::string> out_columns;
  std::vector<std::string> inputs;
  std::vector<FirstLineColumn> firsts;  // always starts with client_id, transaction_id
  std::vector<SummedColumn> sums;
  PairIndex index;
  int32_t receipts = 0;
  uint64_t rows_seen = 0;
  uint64_t last_key = ~uint64_t{0};
  int32_t last_receipt = -1;
  bool finished = false;
};

ReceiptsBuilder::ReceiptsBuilder(std::vector<std::string> columns, std::string what)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  s.what = std::move(what);
  const ReferenceTable* receipts = FindReferenceTable(kReceipts);
  if (columns.empty()) {
    for (const auto& f : receipts->schema) columns.push_back(f.name);
  }
  std::vector<std::string> all;
  for (const auto& f : receipts->schema) all.push_back(f.name);
  for (const auto& c : columns) {
    if (!IsFirstLineColumn(c) && !IsSummedColumn(c)) {
      s.init_error = Status::Data("receipts derived from {} have no column '{}' (columns: {})",
                                  s.what, c, Joined(all));
      return;
    }
    if (std::count(columns.begin(), columns.end(), c) > 1) {
      s.init_error = Status::Usage("receipts: column '{}' requested twice", c);
      return;
    }
  }
  s.out_columns = columns;
  s.inputs = {std::string(refcol::kClientId), std::string(refcol::kTransactionId)};
  for (const auto& c : columns) {
    if (std::find(s.inputs.begin(), s.inputs.end(), c) == s.inputs.end()) s.inputs.push_back(c);
  }
  for (const auto& c : s.inputs) {
    if (IsFirstLineColumn(c)) {
      s.firsts.push_back({});
      s.firsts.back().name = c;
    } else {
      s.sums.push_back({c, {}, {}});
    }
  }
}

ReceiptsBuilder::~ReceiptsBuilder() = default;

const std::vector<std::string>& ReceiptsBuilder::input_columns() const {
  return state_->inputs;
}

uint64_t ReceiptsBuilder::mismatches(std::string_view column) const {
  for (const auto& f : state_->firsts) {
    if (f.name == column) return f.mismatches;
  }
  return 0;
}

Status ReceiptsBuilder::Add(const Table& batch) {
  State& s = *state_;
  UPCAMP_RETURN_IF_ERROR(s.init_error);
  if (s.finished) return Status::Runtime("ReceiptsBuilder::Add after Finish");
  const size_t rows = batch.num_rows();

  // 1. Receipt number of every line; first lines of new receipts are marked.
  UPCAMP_ASSIGN_OR_RETURN(const Column* client_col, batch.GetColumn(refcol::kClientId, s.what));
  UPCAMP_ASSIGN_OR_RETURN(const Column* txn_col, batch.GetColumn(refcol::kTransactionId, s.what));
  Column client_conv, txn_conv;
  if (client_col->type() != DataType::kString) {
    client_conv = KeysAsStrings(*client_col);
    client_col = &client_conv;
  }
  if (txn_col->type() != DataType::kString) {
    txn_conv = KeysAsStrings(*txn_col);
    txn_col = &txn_conv;
  }
  const auto clients = client_col->codes();
  const auto txns = txn_col->codes();
  std::vector<int32_t> rid(rows);
  std::vector<uint8_t> is_new(rows, 0);
  for (size_t r = 0; r < rows; ++r) {
    if (clients[r] < 0 || txns[r] < 0) {
      return Status::Data(
          "{}: missing {} at data row {} (1-based, header not counted); every purchase line needs "
          "client_id and transaction_id to derive receipts",
          s.what, clients[r] < 0 ? refcol::kClientId : refcol::kTransactionId, s.rows_seen + r + 1);
    }
    const uint64_t key = (static_cast<uint64_t>(clients[r]) << 32) | static_cast<uint32_t>(txns[r]);
    if (key != s.last_key) {  // lines of a receipt are usually adjacent: skip the hash lookup
      bool inserted = false;
      s.last_receipt = s.index.FindOrInsert(key, s.receipts, &inserted);
      s.last_key = key;
      if (inserted) {
        if (s.receipts == INT32_MAX) return Status::Data("{}: too many receipts", s.what);
        ++s.receipts;
        is_new[r] = 1;
      }
    }
    rid[r] = s.last_receipt;
  }

  // 2. Receipt-level columns: the first line's value; later lines are compared with it.
  for (FirstLineColumn& f : s.firsts) {
    UPCAMP_ASSIGN_OR_RETURN(const Column* col, batch.GetColumn(f.name, s.what));
    if (f.name == refcol::kClientId) col = client_col;
    if (f.name == refcol::kTransactionId) col = txn_col;
    if (!f.typed) {
      f.typed = true;
      f.type = col->type();
      if (f.type == DataType::kString) f.dictionary = col->shared_dictionary();
    } else if (col->type() != f.type ||
               (f.type == DataType::kString && col->shared_dictionary() != f.dictionary)) {
      return Status::Runtime(
          "{}: column '{}' changed type or dictionary between batches (cannot derive receipts)",
          s.what, f.name);
    }
    switch (f.type) {
      case DataType::kInt64:
      case DataType::kTimestamp:
        TakeFirstOrCompare(col->int64s(), rid, is_new, f.i64, std::equal_to<int64_t>(), s.rows_seen,
                           f);
        break;
      case DataType::kFloat64:
        TakeFirstOrCompare(
            col->float64s(), rid, is_new, f.f64,
            [](double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); },
            s.rows_seen, f);
        break;
      case DataType::kString:
        TakeFirstOrCompare(col->codes(), rid, is_new, f.codes, std::equal_to<int32_t>(),
                           s.rows_seen, f);
        break;
      case DataType::kBool:
        TakeFirstOrCompare(col->bools(), rid, is_new, f.u8, std::equal_to<uint8_t>(), s.rows_seen,
                           f);
        break;
    }
  }

  // 3. Summed columns: missing lines are skipped; all missing stays missing (NaN). Compensated
  //    (Kahan) summation in line order, the same arithmetic as pandas' groupby sum, so a receipt
  //    total equals the one pandas computes (and usually the correctly rounded sum).
  for (SummedColumn& sc : s.sums) {
    UPCAMP_ASSIGN_OR_RETURN(const Column* col, batch.GetColumn(sc.name, s.what));
    sc.sums.resize(static_cast<size_t>(s.receipts), kNullFloat64);
    sc.compensation.resize(static_cast<size_t>(s.receipts), 0.0);
    const bool is_f64 = col->type() == DataType::kFloat64;
    if (col->type() == DataType::kString) {
      return Status::Data("{}: column '{}' must be numeric to sum it per receipt", s.what, sc.name);
    }
    for (size_t r = 0; r < rows; ++r) {
      const double v = is_f64 ? col->float64s()[r] : col->AsDouble(r);
      if (std::isnan(v)) continue;
      const auto i = static_cast<size_t>(rid[r]);
      double& sum = sc.sums[i];
      double& comp = sc.compensation[i];
      if (std::isnan(sum)) sum = 0.0;
      const double y = v - comp;
      const double t = sum + y;
      comp = (t - sum) - y;
      if (std::isnan(comp)) comp = 0.0;  // v is +-inf: keep the infinite sum, not NaN
      sum = t;
    }
  }
  s.rows_seen += rows;
  return Status::Ok();
}

Result<Table> ReceiptsBuilder::Finish() {
  State& s = *state_;
  UPCAMP_RETURN_IF_ERROR(s.init_error);
  if (s.finished) return Status::Runtime("ReceiptsBuilder::Finish called twice");
  s.finished = true;
  std::vector<Column> out;
  for (const auto& name : s.out_columns) {
    auto first = std::find_if(s.firsts.begin(), s.firsts.end(),
                              [&](const FirstLineColumn& f) { return f.name == name; });
    if (first != s.firsts.end()) {
      FirstLineColumn& f = *first;
      if (!f.typed) {  // no batch at all: an empty column of the reference type
        out.push_back(Column::Nulls(name, *ReferenceColumnType(kReceipts, name), 0));
        continue;
      }
      if (f.mismatches > 0) {
        spdlog::warn(
            "{}: {} purchase lines disagree with the first line of their receipt on '{}' (first "
            "at data row {}); receipts use the first line's value",
            s.what, f.mismatches, name, f.first_mismatch_row);
      }
      switch (f.type) {
        case DataType::kInt64:
          out.push_back(Column::Int64(name, std::move(f.i64)));
          break;
        case DataType::kTimestamp:
          out.push_back(Column::Timestamp(name, std::move(f.i64)));
          break;
        case DataType::kFloat64:
          out.push_back(Column::Float64(name, std::move(f.f64)));
          break;
        case DataType::kBool:
          out.push_back(Column::Bool(name, std::move(f.u8)));
          break;
        case DataType::kString:
          out.push_back(Column::String(name, std::move(f.codes), f.dictionary));
          break;
      }
      continue;
    }
    for (SummedColumn& sc : s.sums) {
      if (sc.name != name) continue;
      sc.sums.resize(static_cast<size_t>(s.receipts), kNullFloat64);
      out.push_back(Column::Float64(name, std::move(sc.sums)));
    }
  }
  return Table::Make(std::move(out));
}

Result<Table> DeriveReceipts(const Table& purchases, const std::vector<std::string>& columns,
                             const std::string& what) {
  ReceiptsBuilder builder(columns, what);
  UPCAMP_RETURN_IF_ERROR(builder.Add(purchases));
  return builder.Finish();
}

// ---------------------------------------------------------------------------------------------
// Catalog

namespace {

Status ParseNode(const ConfigNode& root, const std::string& base_dir,
                 std::vector<CatalogTable>* tables, std::string* description) {
  if (!root.IsMap()) return root.Error("a catalog is a mapping with a 'tables' key");
  UPCAMP_RETURN_IF_ERROR(root.CheckKeys({"tables", "description"}));
  UPCAMP_ASSIGN_OR_RETURN(*description, root.GetString("description", std::string()));
  UPCAMP_ASSIGN_OR_RETURN(const ConfigNode* list, root.Get("tables"));
  if (!list->IsMap() || list->map_items().empty()) {
    return list->Error(
        "'tables' maps table names to files, e.g. `purchases: purchases.csv` "
        "(tables: {})",
        ReferenceTableNames());
  }
  for (const auto& [name, node] : list->map_items()) {
    if (FindReferenceTable(name) == nullptr) {
      std::string best;
      size_t best_d = 4;
      for (const auto& t : ReferenceTables()) {
        const size_t d = EditDistance(name, t.name);
        if (d < best_d) {
          best_d = d;
          best = t.name;
        }
      }
      return Status::Config("{}: unknown table '{}'{} (tables: {})", node.where(), name,
                            best.empty() ? "" : fmt::format("; did you mean '{}'?", best),
                            ReferenceTableNames());
    }
    CatalogTable t;
    t.name = name;
    t.where = node.where();
    std::string file;
    if (node.IsScalar()) {
      file = node.scalar();
    } else if (node.IsMap()) {
      UPCAMP_RETURN_IF_ERROR(node.CheckKeys({"path", "delimiter"}));
      UPCAMP_ASSIGN_OR_RETURN(const ConfigNode* p, node.Get("path"));
      UPCAMP_ASSIGN_OR_RETURN(file, p->AsString());
      UPCAMP_ASSIGN_OR_RETURN(std::string delim, node.GetString("delimiter", std::string(",")));
      if (delim.size() != 1 || delim[0] == '"' || delim[0] == '\n' || delim[0] == '\r') {
        return node.Find("delimiter")
            ->Error(
                "delimiter must be one character (not a quote or "
                "line end), got '{}'",
                delim);
      }
      t.delimiter = delim[0];
    } else {
      return node.Error("table '{}': expected a file path or {{path: ...}}", name);
    }
    if (file.empty()) return node.Error("table '{}': empty file path", name);
    std::filesystem::path resolved(file);
    if (resolved.is_relative()) resolved = std::filesystem::path(base_dir) / resolved;
    t.path = resolved.lexically_normal().string();
    if (!FileExists(t.path)) {
      return Status::Config("{}: table '{}': file '{}' does not exist{}", node.where(), name,
                            t.path,
                            std::filesystem::path(file).is_relative()
                                ? " (relative paths start at the catalog's folder)"
                                : "");
    }
    tables->push_back(std::move(t));
  }
  const auto has = [&](std::string_view n) {
    return std::any_of(tables->begin(), tables->end(),
                       [&](const CatalogTable& t) { return t.name == n; });
  };
  if (!has(kReceipts) && has(kPurchases)) {
    const auto purchases = std::find_if(tables->begin(), tables->end(),
                                        [](const CatalogTable& t) { return t.name == kPurchases; });
    CatalogTable r;
    r.name = std::string(kReceipts);
    r.where = purchases->where;
    r.delimiter = purchases->delimiter;
    r.derived = true;
    tables->push_back(std::move(r));
  }
  return Status::Ok();
}

Status CheckUcolTypes(const Table& table, const CatalogTable& t) {
  for (const Column& c : table.columns()) {
    const auto want = ReferenceColumnType(t.name, c.name());
    if (want && *want != c.type()) {
      return Status::Data("{}: column '{}' is {}, but the reference schema of '{}' says {}", t.path,
                          c.name(), DataTypeName(c.type()), t.name, DataTypeName(*want));
    }
  }
  return Status::Ok();
}

CsvReadOptions MakeCsvOptions(const CatalogTable& t, const CatalogReadOptions& options) {
  CsvReadOptions csv;
  csv.schema = FindReferenceTable(t.name)->schema;
  csv.columns = options.columns;
  csv.delimiter = t.delimiter;
  csv.threads = std::max(options.threads, 1);
  csv.keep_rows = options.keep_rows;
  csv.rows_dropped = options.rows_dropped;
  if (options.progress) csv.progress_label = std::filesystem::path(t.path).filename().string();
  return csv;
}

// The rows of `table` in options.keep_rows (all of it if unset), for tables not read from CSV.
Result<Table> KeepRows(Table table, const CatalogReadOptions& options, std::string_view what) {
  if (!options.keep_rows) return table;
  const RowTimeRange& range = *options.keep_rows;
  UPCAMP_ASSIGN_OR_RETURN(const Column* col, table.GetColumn(range.column, what));
  if (col->type() != DataType::kTimestamp && col->type() != DataType::kInt64) {
    return Status::Data("{}: column '{}' is {}, not a timestamp: cannot keep rows by it", what,
                        range.column, DataTypeName(col->type()));
  }
  const auto values = col->int64s();
  std::vector<int64_t> rows;
  for (size_t i = 0; i < values.size(); ++i) {
    if (range.Contains(values[i])) rows.push_back(static_cast<int64_t>(i));
  }
  if (options.rows_dropped != nullptr) *options.rows_dropped = values.size() - rows.size();
  if (rows.size() == values.size()) return table;
  return table.TakeRows(rows);
}

}  // namespace

Result<Catalog> Catalog::Parse(std::string_view yaml, const std::string& source,
                               const std::string& base_dir) {
  UPCAMP_ASSIGN_OR_RETURN(ConfigNode root, ConfigNode::Parse(yaml, source));
  Catalog c;
  c.path_ = source;
  UPCAMP_RETURN_IF_ERROR(ParseNode(root, base_dir, &c.tables_, &c.description_));
  return c;
}

Result<Catalog> Catalog::Load(const std::string& path) {
  if (!FileExists(path)) {
    return Status::Config("{}: catalog file does not exist", path);
  }
  UPCAMP_ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  return Parse(text, path, parent.empty() ? std::filesystem::path(".").string() : parent.string());
}

const CatalogTable* Catalog::Find(std::string_view name) const {
  for (const auto& t : tables_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

Result<const CatalogTable*> Catalog::Get(std::string_view name) const {
  if (const CatalogTable* t = Find(name)) return t;
  std::vector<std::string> names;
  for (const auto& t : tables_) names.push_back(t.name);
  const std::string hint = FindReferenceTable(name) == nullptr
                               ? fmt::format("; reference tables are {}", ReferenceTableNames())
                               : fmt::format("; add `{}: FILE` under `tables:`", name);
  return Status::Config("{}: catalog has no table '{}' (tables: {}){}", path_, name, Joined(names),
                        hint);
}

Result<std::string> Catalog::TablePath(std::string_view name) const {
  UPCAMP_ASSIGN_OR_RETURN(const CatalogTable* t, Get(name));
  if (t->derived) return Find(kPurchases)->path;
  return t->path;
}

Result<Table> Catalog::ReadTable(std::string_view name, const CatalogReadOptions& options) const {
  UPCAMP_ASSIGN_OR_RETURN(const CatalogTable* t, Get(name));
  if (t->derived) {
    const CatalogTable* purchases = Find(kPurchases);
    std::vector<std::string> columns = options.columns;
    if (columns.empty()) {
      // Every receipts column the purchases file has.
      std::vector<std::string> header;
      if (IsUcolPath(purchases->path)) {
        UPCAMP_ASSIGN_OR_RETURN(UcolInfo info, InspectUcol(purchases->path));
        for (const auto& c : info.columns) header.push_back(c.name);
      } else {
        UPCAMP_ASSIGN_OR_RETURN(header, ReadCsvHeader(purchases->path, purchases->delimiter));
      }
      for (const auto& f : FindReferenceTable(kReceipts)->schema) {
        if (std::find(header.begin(), header.end(), f.name) != header.end()) {
          columns.push_back(f.name);
        }
      }
    }
    ReceiptsBuilder builder(columns, purchases->path);
    CatalogReadOptions read = options;
    read.columns = builder.input_columns();
    read.keep_rows.reset();  // the receipts are filtered, not their lines
    read.rows_dropped = nullptr;
    UPCAMP_RETURN_IF_ERROR(
        ScanTable(kPurchases, read, [&](const Table& batch) { return builder.Add(batch); }));
    UPCAMP_ASSIGN_OR_RETURN(Table receipts, builder.Finish());
    return KeepRows(std::move(receipts), options, "receipts (derived from purchases)");
  }
  if (IsUcolPath(t->path)) {
    UcolReadOptions read;
    read.columns = options.columns;
    read.threads = std::max(options.threads, 1);
    UPCAMP_ASSIGN_OR_RETURN(Table table, ReadUcol(t->path, read));
    UPCAMP_RETURN_IF_ERROR(CheckUcolTypes(table, *t));
    return KeepRows(std::move(table), options, t->path);
  }
  return ReadCsv(t->path, MakeCsvOptions(*t, options));
}

Status Catalog::ScanTable(std::string_view name, const CatalogReadOptions& options,
                          const std::function<Status(const Table& batch)>& consume) const {
  UPCAMP_ASSIGN_OR_RETURN(const CatalogTable* t, Get(name));
  if (t->derived || IsUcolPath(t->path)) {
    UPCAMP_ASSIGN_OR_RETURN(Table table, ReadTable(name, options));
    return consume(table);
  }
  return ReadCsvBatches(t->path, MakeCsvOptions(*t, options), consume);
}

}  // namespace upcamp

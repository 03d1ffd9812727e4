// unique_categories(delta, col_category = level_3): the number of distinct non-missing categories
// a client bought in [date_to − delta, date_to), from purchases joined with products on
// product_id (pandas nunique: missing categories do not count).
//
// Products arrive first (one partition): they give product id → category id. The purchases'
// product_id column has its own dictionary, so each purchases code is mapped to a category once
// (under a mutex, before the rows of a batch are read); the per-row loop is then integer lookups.
// Distinct categories per client are a bit set of the categories when there are few of them (the
// usual case: a few hundred categories, a few dozen bytes per client, one OR per row), else a
// DistinctInts list per client (memory then bounded by what each client bought).

#include <fmt/ranges.h>

#include <algorithm>
#include <bit>
#include <mutex>
#include <vector>

#include "data/reference_schema.h"
#include "features/calcers/calcers.h"
#include "features/calcers/helpers.h"

namespace upcamp::calcers {
namespace {

constexpr int32_t kNoCategory = -1;
// Bit sets are used up to this many 64-bit words per client (1024 categories, 128 bytes).
constexpr size_t kMaxBitsetWords = 16;

class State : public CalcerState {
 public:
  State(std::string col_category, int64_t delta, Schema schema, const FeatureParams& p)
      : col_category_(std::move(col_category)),
        window_(TimeWindow::Days(p.date_to, delta)),
        schema_(std::move(schema)) {}

  void Grow(size_t n) override {
    present_.resize(n, 0);
    if (words_ > 0) {
      bits_.resize(n * words_, 0);
    } else {
      categories_.resize(n);
    }
  }

  std::optional<RowTimeRange> RowsUsed(SourceTable table) const override {
    if (table != SourceTable::kPurchases) return std::nullopt;
    return RowTimeRange{"transaction_datetime", window_.from, window_.to};
  }

  Status Consume(SourceTable table, const BatchRows& rows) override {
    if (table == SourceTable::kProducts) return ConsumeProducts(rows);
    const Column& product = Col(rows, "product_id");
    UPCAMP_RETURN_IF_ERROR(MapPurchaseCodes(product));  // also sets purchases_seen_
    // Read-only from here on: every partition of this batch needs the same codes, which the
    // first of them mapped under the mutex (so the others see the complete map after locking).
    const std::vector<int32_t>& code_category = code_category_;
    auto t = Col(rows, "transaction_datetime").int64s();
    auto codes = product.codes();
    for (uint32_t r : rows.rows) {
      if (!window_.Contains(t[r])) continue;
      const auto c = static_cast<size_t>(rows.client[r]);
      present_[c] = 1;
      const int32_t code = codes[r];
      const int32_t category =
          code == kNullCode ? kNoCategory : code_category[static_cast<size_t>(code)];
      if (category == kNoCategory) continue;
      if (words_ > 0) {
        const auto k = static_cast<uint32_t>(category);
        bits_[c * words_ + k / 64] |= uint64_t{1} << (k % 64);
      } else {
        categories_[c].Add(category);
      }
    }
    return Status::Ok();
  }

  Result<CalcerOutput> Finish(size_t n) override {
    Grow(n);
    CalcerOutput out;
    out.present = present_;
    std::vector<int64_t> count(n, kNullInt64);
    for (size_t i = 0; i < n; ++i) {
      if (!present_[i]) continue;
      if (words_ > 0) {
        int64_t k = 0;
        for (size_t w = 0; w < words_; ++w) k += std::popcount(bits_[i * words_ + w]);
        count[i] = k;
      } else {
        count[i] = categories_[i].Count();
      }
    }
    out.columns.push_back(Column::Int64(schema_[0].name, std::move(count)));
    return out;
  }

 private:
  // Products: one partition, single-threaded for this state. Category ids are the codes of our
  // own dictionary of the category's text, so any products column works (strings or numbers).
  Status ConsumeProducts(const BatchRows& rows) {
    const Column& id = Col(rows, "product_id");
    const Column& category = Col(rows, col_category_);
    for (uint32_t r : rows.rows) {
      if (id.IsNull(r)) continue;
      const int32_t p = product_ids_.GetOrAdd(id.dictionary().Get(id.codes()[r]));
      if (static_cast<size_t>(p) < product_category_.size()) {
        return Status::Data("products: product_id '{}' appears more than once",
                            id.ValueToString(r));
      }
      product_category_.push_back(
          category.IsNull(r) ? kNoCategory : category_names_.GetOrAdd(category.ValueToString(r)));
    }
    // The number of categories is final once products are read, which is before any purchase
    // (the engine's table order): pick the per-client set for it.
    const size_t words = (static_cast<size_t>(category_names_.size()) + 63) / 64;
    const size_t new_words = words <= kMaxBitsetWords ? std::max<size_t>(words, 1) : 0;
    if (new_words != words_) {
      if (purchases_seen_) {
        return Status::Runtime("unique_categories: products arrived after purchases");
      }
      words_ = new_words;
      bits_.clear();
      categories_.clear();
      Grow(present_.size());
    }
    return Status::Ok();
  }

  // Extends code → category over the purchases dictionary; a code of a product missing from the
  // products table has no category.
  Status MapPurchaseCodes(const Column& product) {
    std::lock_guard<std::mutex> lock(map_mu_);
    purchases_seen_ = true;
    const StringDictionary* dict = &product.dictionary();
    if (dict != purchase_dict_) {  // batches of one scan share it; a new one starts over
      purchase_dict_ = dict;
      code_category_.clear();
    }
    for (auto k = static_cast<int32_t>(code_category_.size()); k < dict->size(); ++k) {
      const int32_t p = product_ids_.Find(dict->Get(k));
      code_category_.push_back(p == kNullCode ? kNoCategory
                                              : product_category_[static_cast<size_t>(p)]);
    }
    return Status::Ok();
  }

  std::string col_category_;
  TimeWindow window_;
  Schema schema_;
  // From products (complete before purchases arrive).
  StringDictionary product_ids_;           // product id → local product index
  std::vector<int32_t> product_category_;  // local product index → category id or kNoCategory
  StringDictionary category_names_;        // category text → category id
  // Purchases product_id code → category id, extended per batch under map_mu_.
  std::mutex map_mu_;
  const StringDictionary* purchase_dict_ = nullptr;
  std::vector<int32_t> code_category_;
  bool purchases_seen_ = false;  // under map_mu_ while purchases are read
  // Per client: a bit set of words_ words each (words_ > 0), else a DistinctInts list.
  size_t words_ = 0;
  std::vector<uint64_t> bits_;
  std::vector<DistinctInts> categories_;
  std::vector<uint8_t> present_;
};

// Every products column but the key can serve as the category.
std::vector<std::string> CategoryColumns() {
  std::vector<std::string> cols;
  for (const Field& f : FindReferenceTable("products")->schema) {
    if (f.name != "product_id") cols.push_back(f.name);
  }
  return cols;
}

}  // namespace

Result<std::unique_ptr<Calcer>> MakeUniqueCategories(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys({"delta", "col_category"}));
  UPCAMP_ASSIGN_OR_RETURN(int64_t delta, ReadDelta(args));
  UPCAMP_ASSIGN_OR_RETURN(std::string col, args.GetString("col_category", "level_3"));
  const std::vector<std::string> valid = CategoryColumns();
  if (std::find(valid.begin(), valid.end(), col) == valid.end()) {
    const ConfigNode* node = args.Find("col_category");
    return (node ? *node : args)
        .Error("col_category must be a products column ({}), got '{}'", fmt::join(valid, ", "),
               col);
  }
  Schema schema = WindowedSchema(delta, {{"unique_" + col, DataType::kInt64}});
  CalcerSpec spec;
  spec.name = "unique_categories";
  spec.args = {{"delta", delta}, {"col_category", col}};
  spec.inputs = {{SourceTable::kProducts, {"product_id", col}},
                 {SourceTable::kPurchases, {"transaction_datetime", "product_id"}}};
  spec.schema = schema;
  spec.start = [col, delta, schema](const FeatureParams& p) {
    return std::make_unique<State>(col, delta, schema, p);
  };
  return MakeSpecCalcer(std::move(spec));
}

}  // namespace upcamp::calcers

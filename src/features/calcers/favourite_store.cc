// favourite_store(delta): the store with the most receipts of a client in
// [date_to − delta, date_to). Ties go to the larger store id: when every tied id parses as a
// base-10 integer (std::from_chars, int64, an optional '-', no '+' or spaces) they compare as
// numbers (so "10" > "9"; equal numbers such as "7" and "007" fall back to the text), otherwise
// as text, byte by byte. Deciding over the whole set of tied ids keeps the choice a total order
// even where a pairwise numeric/text rule would not be ("2" < "10" < "1a" < "2").
// Receipts without a store_id count for presence but for no store; a client whose receipts in
// the window all lack one is present with a missing favourite store.

#include <charconv>
#include <numeric>
#include <vector>

#include "features/calcers/calcers.h"
#include "features/calcers/helpers.h"

namespace upcamp::calcers {
namespace {

// What the tie rule needs to know about each store id of the dictionary, computed once.
struct StoreOrder {
  std::vector<int32_t> text_rank;  // rank of the id in byte-wise text order
  std::vector<uint8_t> is_int;
  std::vector<int64_t> value;  // the integer, when is_int

  explicit StoreOrder(const StringDictionary& dict) {
    const auto n = static_cast<size_t>(dict.size());
    std::vector<int32_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](int32_t a, int32_t b) { return dict.Get(a) < dict.Get(b); });
    text_rank.resize(n);
    for (size_t i = 0; i < n; ++i)
      text_rank[static_cast<size_t>(order[i])] = static_cast<int32_t>(i);
    is_int.resize(n, 0);
    value.resize(n, 0);
    for (size_t k = 0; k < n; ++k) {
      const std::string_view s = dict.Get(static_cast<int32_t>(k));
      const char* end = s.data() + s.size();
      auto [ptr, ec] = std::from_chars(s.data(), end, value[k]);
      is_int[k] = !s.empty() && ec == std::errc() && ptr == end;
    }
  }

  // Is store a larger than store b, given whether all tied ids are integers?
  bool Larger(int32_t a, int32_t b, bool numeric) const {
    const auto ia = static_cast<size_t>(a), ib = static_cast<size_t>(b);
    if (numeric && value[ia] != value[ib]) return value[ia] > value[ib];
    return text_rank[ia] > text_rank[ib];
  }
};

class State : public CalcerState {
 public:
  State(int64_t delta, Schema schema, const FeatureParams& p)
      : window_(TimeWindow::Days(p.date_to, delta)), schema_(std::move(schema)) {}

  void Grow(size_t n) override {
    stores_.resize(n);
    present_.resize(n, 0);
  }

  Status Consume(SourceTable, const BatchRows& rows) override {
    const Column& store = Col(rows, "store_id");
    UPCAMP_RETURN_IF_ERROR(dict_.Capture(store));
    auto t = Col(rows, "transaction_datetime").int64s();
    auto codes = store.codes();
    for (uint32_t r : rows.rows) {
      if (!window_.Contains(t[r])) continue;
      const auto c = static_cast<size_t>(rows.client[r]);
      present_[c] = 1;
      if (codes[r] != kNullCode) stores_[c].Add(codes[r]);
    }
    return Status::Ok();
  }

  Result<CalcerOutput> Finish(size_t n) override {
    Grow(n);
    std::shared_ptr<StringDictionary> dict = dict_.get();
    const StoreOrder order(*dict);
    std::vector<int32_t> favourite(n, kNullCode);
    for (size_t i = 0; i < n; ++i) {
      const auto& counts = stores_[i].counts();
      int64_t most = 0;
      bool numeric = true;
      for (const auto& [s, k] : counts) most = std::max(most, k);
      for (const auto& [s, k] : counts) {
        if (k == most) numeric = numeric && order.is_int[static_cast<size_t>(s)];
      }
      int32_t best = kNullCode;
      for (const auto& [s, k] : counts) {
        if (k == most && (best == kNullCode || order.Larger(s, best, numeric))) best = s;
      }
      favourite[i] = best;
    }
    CalcerOutput out;
    out.present = present_;
    out.columns.push_back(Column::String(schema_[0].name, std::move(favourite), std::move(dict)));
    return out;
  }

 private:
  TimeWindow window_;
  Schema schema_;
  DictionaryHolder dict_;
  std::vector<StoreTally> stores_;
  std::vector<uint8_t> present_;
};

}  // namespace

Result<std::unique_ptr<Calcer>> MakeFavouriteStore(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys({"delta"}));
  UPCAMP_ASSIGN_OR_RETURN(int64_t delta, ReadDelta(args));
  Schema schema = WindowedSchema(delta, {{"favourite_store_id", DataType::kString}});
  CalcerSpec spec;
  spec.name = "favourite_store";
  spec.args = {{"delta", delta}};
  spec.inputs = {{SourceTable::kReceipts, {"transaction_datetime", "store_id"}}};
  spec.schema = schema;
  spec.start = [delta, schema](const FeatureParams& p) {
    return std::make_unique<State>(delta, schema, p);
  };
  return MakeSpecCalcer(std::move(spec));
}

}  // namespace upcamp::calcers

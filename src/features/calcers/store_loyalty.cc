// store_loyalty(delta): how concentrated a client's shopping is over [date_to − delta, date_to):
// the number of distinct stores and the share of receipts made in the favourite store. Both
// count only receipts with a store_id; the share is missing when none has one.

#include <vector>

#include "features/calcers/calcers.h"
#include "features/calcers/helpers.h"

namespace upcamp::calcers {
namespace {

class State : public CalcerState {
 public:
  State(int64_t delta, Schema schema, const FeatureParams& p)
      : window_(TimeWindow::Days(p.date_to, delta)), schema_(std::move(schema)) {}

  void Grow(size_t n) override {
    stores_.resize(n);
    present_.resize(n, 0);
  }

  Status Consume(SourceTable, const BatchRows& rows) override {
    auto t = Col(rows, "transaction_datetime").int64s();
    auto codes = Col(rows, "store_id").codes();
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
    std::vector<int64_t> distinct(n, kNullInt64);
    std::vector<double> share(n, kNullFloat64);
    for (size_t i = 0; i < n; ++i) {
      if (!present_[i]) continue;
      int64_t most = 0, total = 0;
      for (const auto& [s, k] : stores_[i].counts()) {
        most = std::max(most, k);
        total += k;
      }
      distinct[i] = static_cast<int64_t>(stores_[i].counts().size());
      share[i] = Share(most, total);
    }
    CalcerOutput out;
    out.present = present_;
    out.columns.push_back(Column::Int64(schema_[0].name, std::move(distinct)));
    out.columns.push_back(Column::Float64(schema_[1].name, std::move(share)));
    return out;
  }

 private:
  TimeWindow window_;
  Schema schema_;
  std::vector<StoreTally> stores_;
  std::vector<uint8_t> present_;
};

}  // namespace

Result<std::unique_ptr<Calcer>> MakeStoreLoyalty(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys({"delta"}));
  UPCAMP_ASSIGN_OR_RETURN(int64_t delta, ReadDelta(args));
  Schema schema = WindowedSchema(delta, {{"distinct_stores", DataType::kInt64},
                                         {"favourite_store_share", DataType::kFloat64}});
  CalcerSpec spec;
  spec.name = "store_loyalty";
  spec.args = {{"delta", delta}};
  spec.inputs = {{SourceTable::kReceipts, {"transaction_datetime", "store_id"}}};
  spec.schema = schema;
  spec.start = [delta, schema](const FeatureParams& p) {
    return std::make_unique<State>(delta, schema, p);
  };
  return MakeSpecCalcer(std::move(spec));
}

}  // namespace upcamp::calcers

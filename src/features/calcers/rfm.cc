// rfm(delta): recency, frequency and monetary value of a client's receipts in
// [date_to − delta, date_to), the classic RFM triple plus the average receipt and the number of
// distinct days with a purchase.

#include <limits>
#include <vector>

#include "core/civil_time.h"
#include "features/calcers/calcers.h"
#include "features/calcers/helpers.h"

namespace upcamp::calcers {
namespace {

struct Acc {
  int64_t receipts = 0;
  int64_t last = std::numeric_limits<int64_t>::min();
  NumAgg purchase_sum;
  DistinctInts days;  // DayIndex of each receipt (days since 1970 fit int32)
};

class State : public CalcerState {
 public:
  State(int64_t delta, Schema schema, const FeatureParams& p)
      : window_(TimeWindow::Days(p.date_to, delta)), schema_(std::move(schema)) {}

  void Grow(size_t n) override { acc_.resize(n); }

  Status Consume(SourceTable, const BatchRows& rows) override {
    auto t = Col(rows, "transaction_datetime").int64s();
    auto ps = Col(rows, "purchase_sum").float64s();
    for (uint32_t r : rows.rows) {
      if (!window_.Contains(t[r])) continue;
      Acc& a = acc_[static_cast<size_t>(rows.client[r])];
      ++a.receipts;
      a.last = std::max(a.last, t[r]);
      a.purchase_sum.Add(ps[r]);
      a.days.Add(static_cast<int32_t>(DayIndex(t[r])));
    }
    return Status::Ok();
  }

  Result<CalcerOutput> Finish(size_t n) override {
    Grow(n);
    CalcerOutput out;
    out.present.resize(n, 0);
    std::vector<double> recency(n, kNullFloat64), monetary(n, kNullFloat64),
        average(n, kNullFloat64);
    std::vector<int64_t> frequency(n, kNullInt64), days(n, kNullInt64);
    for (size_t i = 0; i < n; ++i) {
      Acc& a = acc_[i];
      if (a.receipts == 0) continue;
      out.present[i] = 1;
      recency[i] = static_cast<double>(window_.to - a.last) / static_cast<double>(kSecondsPerDay);
      frequency[i] = a.receipts;
      monetary[i] = a.purchase_sum.Sum();
      average[i] = a.purchase_sum.Mean();
      days[i] = a.days.Count();
    }
    auto& c = out.columns;
    c.push_back(Column::Float64(schema_[0].name, std::move(recency)));
    c.push_back(Column::Int64(schema_[1].name, std::move(frequency)));
    c.push_back(Column::Float64(schema_[2].name, std::move(monetary)));
    c.push_back(Column::Float64(schema_[3].name, std::move(average)));
    c.push_back(Column::Int64(schema_[4].name, std::move(days)));
    return out;
  }

 private:
  TimeWindow window_;
  Schema schema_;
  std::vector<Acc> acc_;
};

}  // namespace

Result<std::unique_ptr<Calcer>> MakeRfm(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys({"delta"}));
  UPCAMP_ASSIGN_OR_RETURN(int64_t delta, ReadDelta(args));
  Schema schema = WindowedSchema(delta, {{"recency_days", DataType::kFloat64},
                                         {"frequency", DataType::kInt64},
                                         {"monetary", DataType::kFloat64},
                                         {"average_receipt", DataType::kFloat64},
                                         {"active_days", DataType::kInt64}});
  CalcerSpec spec;
  spec.name = "rfm";
  spec.args = {{"delta", delta}};
  spec.inputs = {{SourceTable::kReceipts, {"transaction_datetime", "purchase_sum"}}};
  spec.schema = schema;
  spec.start = [delta, schema](const FeatureParams& p) {
    return std::make_unique<State>(delta, schema, p);
  };
  return MakeSpecCalcer(std::move(spec));
}

}  // namespace upcamp::calcers

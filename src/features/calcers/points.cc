// points(delta): loyalty points behaviour over [date_to − delta, date_to): points received and
// spent (regular and express), how often points are spent, and which kind is spent. Spent points
// keep the data's sign (≤ 0). Sums skip missing values (0 when all are missing); a missing
// spent value counts as "nothing spent" in the shares, as NaN < 0 is false in pandas.

#include <vector>

#include "features/calcers/calcers.h"
#include "features/calcers/helpers.h"

namespace upcamp::calcers {
namespace {

struct Acc {
  int64_t receipts = 0;
  int64_t regular_spent_receipts = 0, express_spent_receipts = 0;
  NumAgg regular_received, express_received, regular_spent, express_spent;
};

class State : public CalcerState {
 public:
  State(int64_t delta, Schema schema, const FeatureParams& p)
      : window_(TimeWindow::Days(p.date_to, delta)), schema_(std::move(schema)) {}

  void Grow(size_t n) override { acc_.resize(n); }

  Status Consume(SourceTable, const BatchRows& rows) override {
    auto t = Col(rows, "transaction_datetime").int64s();
    auto rr = Col(rows, "regular_points_received").float64s();
    auto er = Col(rows, "express_points_received").float64s();
    auto rs = Col(rows, "regular_points_spent").float64s();
    auto es = Col(rows, "express_points_spent").float64s();
    for (uint32_t r : rows.rows) {
      if (!window_.Contains(t[r])) continue;
      Acc& a = acc_[static_cast<size_t>(rows.client[r])];
      ++a.receipts;
      a.regular_received.Add(rr[r]);
      a.express_received.Add(er[r]);
      a.regular_spent.Add(rs[r]);
      a.express_spent.Add(es[r]);
      a.regular_spent_receipts += (rs[r] < 0.0);
      a.express_spent_receipts += (es[r] < 0.0);
    }
    return Status::Ok();
  }

  Result<CalcerOutput> Finish(size_t n) override {
    Grow(n);
    CalcerOutput out;
    out.present.resize(n, 0);
    std::vector<std::vector<double>> f(7, std::vector<double>(n, kNullFloat64));
    for (size_t i = 0; i < n; ++i) {
      const Acc& a = acc_[i];
      if (a.receipts == 0) continue;
      out.present[i] = 1;
      f[0][i] = a.regular_received.Sum();
      f[1][i] = a.express_received.Sum();
      f[2][i] = a.regular_spent.Sum();
      f[3][i] = a.express_spent.Sum();
      f[4][i] = Share(a.regular_spent_receipts, a.receipts);
      f[5][i] = Share(a.express_spent_receipts, a.receipts);
      const double spent = a.regular_spent.Sum() + a.express_spent.Sum();
      f[6][i] = spent != 0.0 ? a.express_spent.Sum() / spent : kNullFloat64;
    }
    for (size_t k = 0; k < f.size(); ++k) {
      out.columns.push_back(Column::Float64(schema_[k].name, std::move(f[k])));
    }
    return out;
  }

 private:
  TimeWindow window_;
  Schema schema_;
  std::vector<Acc> acc_;
};

}  // namespace

Result<std::unique_ptr<Calcer>> MakePoints(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys({"delta"}));
  UPCAMP_ASSIGN_OR_RETURN(int64_t delta, ReadDelta(args));
  constexpr auto F = DataType::kFloat64;
  Schema schema = WindowedSchema(delta, {{"points_regular_received_sum", F},
                                         {"points_express_received_sum", F},
                                         {"points_regular_spent_sum", F},
                                         {"points_express_spent_sum", F},
                                         {"points_regular_spent_receipts_share", F},
                                         {"points_express_spent_receipts_share", F},
                                         {"points_express_share_of_spent", F}});
  CalcerSpec spec;
  spec.name = "points";
  spec.args = {{"delta", delta}};
  spec.inputs = {{SourceTable::kReceipts,
                  {"transaction_datetime", "regular_points_received", "express_points_received",
                   "regular_points_spent", "express_points_spent"}}};
  spec.schema = schema;
  spec.start = [delta, schema](const FeatureParams& p) {
    return std::make_unique<State>(delta, schema, p);
  };
  return MakeSpecCalcer(std::move(spec));
}

}  // namespace upcamp::calcers

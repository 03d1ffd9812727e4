// receipts_basic(delta): per-client statistics of the receipts in [date_to − delta, date_to).

#include <vector>

#include "features/calcers/calcers.h"
#include "features/calcers/common.h"

namespace upcamp::calcers {
namespace {

constexpr double kSecondsPerDayF = 86400.0;

struct Acc {
  int64_t receipts = 0;
  NumAgg purchase_sum, regular_spent, express_spent, red;
  int64_t t_min = std::numeric_limits<int64_t>::max();
  int64_t t_max = std::numeric_limits<int64_t>::min();
  int64_t points_spent_flag = 0, express_spent_flag = 0;
};

class State : public CalcerState {
 public:
  State(int64_t delta, const FeatureParams& p)
      : delta_(delta), window_(TimeWindow::Days(p.date_to, delta)) {}

  void Grow(size_t n) override { acc_.resize(n); }

  std::optional<RowTimeRange> RowsUsed(SourceTable) const override {
    return RowTimeRange{"transaction_datetime", window_.from, window_.to};
  }

  Status Consume(SourceTable, const BatchRows& rows) override {
    auto t = Col(rows, "transaction_datetime").int64s();
    auto ps = Col(rows, "purchase_sum").float64s();
    auto rs = Col(rows, "regular_points_spent").float64s();
    auto es = Col(rows, "express_points_spent").float64s();
    auto red = Col(rows, "trn_sum_from_red").float64s();
    for (uint32_t r : rows.rows) {
      if (!window_.Contains(t[r])) continue;
      Acc& a = acc_[static_cast<size_t>(rows.client[r])];
      ++a.receipts;
      a.purchase_sum.Add(ps[r]);
      a.regular_spent.Add(rs[r]);
      a.express_spent.Add(es[r]);
      a.red.Add(red[r]);
      a.t_min = std::min(a.t_min, t[r]);
      a.t_max = std::max(a.t_max, t[r]);
      // NaN comparisons are false, as in pandas: a missing part means "no flag".
      a.points_spent_flag += (rs[r] + es[r] < 0.0);
      a.express_spent_flag += (es[r] < 0.0);
    }
    return Status::Ok();
  }

  Result<CalcerOutput> Finish(size_t n) override {
    acc_.resize(n);
    CalcerOutput out;
    out.present.resize(n);
    std::vector<int64_t> count(n, kNullInt64), tmin(n, kNullInt64), tmax(n, kNullInt64),
        flag(n, kNullInt64), eflag(n, kNullInt64);
    std::vector<std::vector<double>> f(14, std::vector<double>(n, kNullFloat64));
    for (size_t i = 0; i < n; ++i) {
      const Acc& a = acc_[i];
      if (a.receipts == 0) continue;  // no receipt in the window: every column missing
      out.present[i] = 1;
      count[i] = a.receipts;
      f[0][i] = a.purchase_sum.Sum();
      f[1][i] = a.purchase_sum.Max();
      f[2][i] = a.purchase_sum.Min();
      f[3][i] = a.purchase_sum.Mean();
      f[4][i] = a.regular_spent.Sum();
      f[5][i] = a.regular_spent.Max();
      f[6][i] = a.express_spent.Sum();
      f[7][i] = a.express_spent.Max();
      tmin[i] = a.t_min;
      tmax[i] = a.t_max;
      f[8][i] = a.red.Sum();
      f[9][i] = a.red.Max();
      f[10][i] = a.red.Mean();
      flag[i] = a.points_spent_flag;
      eflag[i] = a.express_spent_flag;
      f[11][i] = a.receipts > 1 ? static_cast<double>(a.t_max - a.t_min) / kSecondsPerDayF /
                                      static_cast<double>(a.receipts - 1)
                                : kNullFloat64;
      f[12][i] = static_cast<double>(window_.to - a.t_max) / kSecondsPerDayF;
    }
    auto name = [&](std::string_view base) { return Windowed(base, delta_); };
    auto& c = out.columns;
    c.push_back(Column::Int64(name("transaction_id_count"), std::move(count)));
    c.push_back(Column::Float64(name("purchase_sum_sum"), std::move(f[0])));
    c.push_back(Column::Float64(name("purchase_sum_max"), std::move(f[1])));
    c.push_back(Column::Float64(name("purchase_sum_min"), std::move(f[2])));
    c.push_back(Column::Float64(name("purchase_sum_mean"), std::move(f[3])));
    c.push_back(Column::Float64(name("regular_points_spent_sum"), std::move(f[4])));
    c.push_back(Column::Float64(name("regular_points_spent_max"), std::move(f[5])));
    c.push_back(Column::Float64(name("express_points_spent_sum"), std::move(f[6])));
    c.push_back(Column::Float64(name("express_points_spent_max"), std::move(f[7])));
    c.push_back(Column::Timestamp(name("transaction_datetime_min"), std::move(tmin)));
    c.push_back(Column::Timestamp(name("transaction_datetime_max"), std::move(tmax)));
    c.push_back(Column::Float64(name("trn_sum_from_red_sum"), std::move(f[8])));
    c.push_back(Column::Float64(name("trn_sum_from_red_max"), std::move(f[9])));
    c.push_back(Column::Float64(name("trn_sum_from_red_mean"), std::move(f[10])));
    c.push_back(Column::Int64(name("points_spent_flag_sum"), std::move(flag)));
    c.push_back(Column::Int64(name("express_points_spent_flag_sum"), std::move(eflag)));
    c.push_back(Column::Float64(name("mean_time_interval"), std::move(f[11])));
    c.push_back(Column::Float64(name("time_since_last"), std::move(f[12])));
    return out;
  }

 private:
  int64_t delta_;
  TimeWindow window_;
  std::vector<Acc> acc_;
};

class ReceiptsBasic : public Calcer {
 public:
  explicit ReceiptsBasic(int64_t delta) : delta_(delta) {}
  const std::string& name() const override {
    static const std::string kName = "receipts_basic";
    return kName;
  }
  nlohmann::json args() const override { return {{"delta", delta_}}; }
  std::vector<TableInput> Inputs() const override {
    return {{SourceTable::kReceipts,
             {"transaction_datetime", "purchase_sum", "regular_points_spent",
              "express_points_spent", "trn_sum_from_red"}}};
  }
  Schema OutputSchema() const override {
    auto w = [&](std::string_view base, DataType t) { return Field{Windowed(base, delta_), t}; };
    constexpr auto F = DataType::kFloat64, I = DataType::kInt64, T = DataType::kTimestamp;
    return {w("transaction_id_count", I),     w("purchase_sum_sum", F),
            w("purchase_sum_max", F),         w("purchase_sum_min", F),
            w("purchase_sum_mean", F),        w("regular_points_spent_sum", F),
            w("regular_points_spent_max", F), w("express_points_spent_sum", F),
            w("express_points_spent_max", F), w("transaction_datetime_min", T),
            w("transaction_datetime_max", T), w("trn_sum_from_red_sum", F),
            w("trn_sum_from_red_max", F),     w("trn_sum_from_red_mean", F),
            w("points_spent_flag_sum", I),    w("express_points_spent_flag_sum", I),
            w("mean_time_interval", F),       w("time_since_last", F)};
  }
  std::unique_ptr<CalcerState> Start(const FeatureParams& p) const override {
    return std::make_unique<State>(delta_, p);
  }

 private:
  int64_t delta_;
};

}  // namespace

Result<int64_t> ReadDelta(const ConfigNode& args) {
  const ConfigNode* d = args.Find("delta");
  if (!d) return args.Error("missing required argument 'delta' (days, e.g. {{delta: 60}})");
  UPCAMP_ASSIGN_OR_RETURN(int64_t delta, d->AsInt());
  if (delta < 1 || delta > 3650) return d->Error("delta must be 1..3650 days, got {}", delta);
  return delta;
}

Result<std::unique_ptr<Calcer>> MakeReceiptsBasic(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys({"delta"}));
  UPCAMP_ASSIGN_OR_RETURN(int64_t delta, ReadDelta(args));
  return std::unique_ptr<Calcer>(std::make_unique<ReceiptsBasic>(delta));
}

}  // namespace upcamp::calcers

// receipt_intervals(delta): statistics of the gaps between a client's consecutive receipts in
// [date_to − delta, date_to), in days. Receipts are ordered by time (so file order does not
// matter); n receipts give n − 1 gaps (receipts at the same second give a gap of 0).
// mean, median (the middle two averaged for an even count), max and last (the gap between the two
// latest receipts) need 2 receipts; std is the sample standard deviation (ddof = 1, as pandas)
// and needs 3. A client with one receipt in the window is present with all of them missing.

#include <cmath>
#include <vector>

#include "core/civil_time.h"
#include "features/calcers/calcers.h"
#include "features/calcers/helpers.h"

namespace upcamp::calcers {
namespace {

class State : public CalcerState {
 public:
  State(int64_t delta, Schema schema, const FeatureParams& p)
      : window_(TimeWindow::Days(p.date_to, delta)), schema_(std::move(schema)) {}

  void Grow(size_t n) override { times_.resize(n); }

  Status Consume(SourceTable, const BatchRows& rows) override {
    auto t = Col(rows, "transaction_datetime").int64s();
    for (uint32_t r : rows.rows) {
      if (!window_.Contains(t[r])) continue;
      // Seconds since the window start: delta ≤ 3650 days < 2^32 seconds.
      times_[static_cast<size_t>(rows.client[r])].push_back(
          static_cast<uint32_t>(t[r] - window_.from));
    }
    return Status::Ok();
  }

  Result<CalcerOutput> Finish(size_t n) override {
    Grow(n);
    CalcerOutput out;
    out.present.resize(n, 0);
    std::vector<std::vector<double>> f(5, std::vector<double>(n, kNullFloat64));
    std::vector<double> gaps;
    for (size_t i = 0; i < n; ++i) {
      std::vector<uint32_t>& ts = times_[i];
      if (ts.empty()) continue;
      out.present[i] = 1;
      if (ts.size() < 2) continue;
      std::sort(ts.begin(), ts.end());
      gaps.clear();
      double sum = 0;
      for (size_t k = 1; k < ts.size(); ++k) {
        gaps.push_back(static_cast<double>(ts[k] - ts[k - 1]) /
                       static_cast<double>(kSecondsPerDay));
        sum += gaps.back();
      }
      const auto m = static_cast<double>(gaps.size());
      const double mean = sum / m;
      f[0][i] = mean;
      f[3][i] = gaps.back();  // last, before sorting the gaps
      if (gaps.size() >= 2) {
        double ss = 0;
        for (double g : gaps) ss += (g - mean) * (g - mean);
        f[2][i] = std::sqrt(ss / (m - 1));
      }
      std::sort(gaps.begin(), gaps.end());
      const size_t h = gaps.size() / 2;
      f[1][i] = gaps.size() % 2 ? gaps[h] : (gaps[h - 1] + gaps[h]) / 2;
      f[4][i] = gaps.back();
    }
    for (size_t k = 0; k < f.size(); ++k) {
      out.columns.push_back(Column::Float64(schema_[k].name, std::move(f[k])));
    }
    return out;
  }

 private:
  TimeWindow window_;
  Schema schema_;
  std::vector<std::vector<uint32_t>> times_;  // per client, seconds since window_.from
};

}  // namespace

Result<std::unique_ptr<Calcer>> MakeReceiptIntervals(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys({"delta"}));
  UPCAMP_ASSIGN_OR_RETURN(int64_t delta, ReadDelta(args));
  constexpr auto F = DataType::kFloat64;
  Schema schema = WindowedSchema(delta, {{"receipt_interval_mean", F},
                                         {"receipt_interval_median", F},
                                         {"receipt_interval_std", F},
                                         {"receipt_interval_last", F},
                                         {"receipt_interval_max", F}});
  CalcerSpec spec;
  spec.name = "receipt_intervals";
  spec.args = {{"delta", delta}};
  spec.inputs = {{SourceTable::kReceipts, {"transaction_datetime"}}};
  spec.schema = schema;
  spec.start = [delta, schema](const FeatureParams& p) {
    return std::make_unique<State>(delta, schema, p);
  };
  return MakeSpecCalcer(std::move(spec));
}

}  // namespace upcamp::calcers

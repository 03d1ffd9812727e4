// time_of_day(delta): when a client shops, as shares of its receipts in [date_to − delta,
// date_to): by the hour of the receipt time (night [0, 6), morning [6, 12), afternoon [12, 18),
// evening [18, 24)) and on weekends (Saturday and Sunday). Timestamps are naive local times.

#include <array>
#include <vector>

#include "core/civil_time.h"
#include "features/calcers/calcers.h"
#include "features/calcers/helpers.h"

namespace upcamp::calcers {
namespace {

struct Acc {
  std::array<int32_t, 4> part{};  // receipts per quarter of the day
  int32_t weekend = 0;
  int32_t receipts = 0;
};

constexpr int64_t kSecondsPerQuarterDay = kSecondsPerDay / 4;

class State : public CalcerState {
 public:
  State(int64_t delta, Schema schema, const FeatureParams& p)
      : window_(TimeWindow::Days(p.date_to, delta)), schema_(std::move(schema)) {}

  void Grow(size_t n) override { acc_.resize(n); }

  Status Consume(SourceTable, const BatchRows& rows) override {
    auto t = Col(rows, "transaction_datetime").int64s();
    for (uint32_t r : rows.rows) {
      if (!window_.Contains(t[r])) continue;
      Acc& a = acc_[static_cast<size_t>(rows.client[r])];
      ++a.receipts;
      ++a.part[static_cast<size_t>(SecondOfDay(t[r]) / kSecondsPerQuarterDay)];
      a.weekend += Weekday(t[r]) >= 5;
    }
    return Status::Ok();
  }

  Result<CalcerOutput> Finish(size_t n) override {
    Grow(n);
    CalcerOutput out;
    out.present.resize(n, 0);
    std::vector<std::vector<double>> f(5, std::vector<double>(n, kNullFloat64));
    for (size_t i = 0; i < n; ++i) {
      const Acc& a = acc_[i];
      if (a.receipts == 0) continue;
      out.present[i] = 1;
      for (size_t k = 0; k < 4; ++k) f[k][i] = Share(a.part[k], a.receipts);
      f[4][i] = Share(a.weekend, a.receipts);
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

Result<std::unique_ptr<Calcer>> MakeTimeOfDay(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys({"delta"}));
  UPCAMP_ASSIGN_OR_RETURN(int64_t delta, ReadDelta(args));
  constexpr auto F = DataType::kFloat64;
  Schema schema = WindowedSchema(delta, {{"receipts_share_night", F},
                                         {"receipts_share_morning", F},
                                         {"receipts_share_afternoon", F},
                                         {"receipts_share_evening", F},
                                         {"receipts_share_weekend", F}});
  CalcerSpec spec;
  spec.name = "time_of_day";
  spec.args = {{"delta", delta}};
  spec.inputs = {{SourceTable::kReceipts, {"transaction_datetime"}}};
  spec.schema = schema;
  spec.start = [delta, schema](const FeatureParams& p) {
    return std::make_unique<State>(delta, schema, p);
  };
  return MakeSpecCalcer(std::move(spec));
}

}  // namespace upcamp::calcers

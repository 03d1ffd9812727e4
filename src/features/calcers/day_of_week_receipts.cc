// day_of_week_receipts(delta): receipts per weekday (Monday = 0 ... Sunday = 6) in
// [date_to − delta, date_to); 0 for a weekday without receipts of a client that has some.

#include <array>
#include <vector>

#include "core/civil_time.h"
#include "features/calcers/calcers.h"
#include "features/calcers/helpers.h"

namespace upcamp::calcers {
namespace {

using Counts = std::array<int32_t, 7>;

class State : public CalcerState {
 public:
  State(int64_t delta, Schema schema, const FeatureParams& p)
      : window_(TimeWindow::Days(p.date_to, delta)), schema_(std::move(schema)) {}

  void Grow(size_t n) override { counts_.resize(n, Counts{}); }

  Status Consume(SourceTable, const BatchRows& rows) override {
    auto t = Col(rows, "transaction_datetime").int64s();
    for (uint32_t r : rows.rows) {
      if (!window_.Contains(t[r])) continue;
      ++counts_[static_cast<size_t>(rows.client[r])][static_cast<size_t>(Weekday(t[r]))];
    }
    return Status::Ok();
  }

  Result<CalcerOutput> Finish(size_t n) override {
    Grow(n);
    CalcerOutput out;
    out.present.resize(n, 0);
    std::array<std::vector<int64_t>, 7> cols;
    for (auto& c : cols) c.assign(n, kNullInt64);
    for (size_t i = 0; i < n; ++i) {
      const Counts& k = counts_[i];
      int64_t total = 0;
      for (int32_t v : k) total += v;
      if (total == 0) continue;
      out.present[i] = 1;
      for (size_t d = 0; d < 7; ++d) cols[d][i] = k[d];
    }
    for (size_t d = 0; d < 7; ++d) {
      out.columns.push_back(Column::Int64(schema_[d].name, std::move(cols[d])));
    }
    return out;
  }

 private:
  TimeWindow window_;
  Schema schema_;
  std::vector<Counts> counts_;
};

}  // namespace

Result<std::unique_ptr<Calcer>> MakeDayOfWeekReceipts(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys({"delta"}));
  UPCAMP_ASSIGN_OR_RETURN(int64_t delta, ReadDelta(args));
  Schema schema;
  for (int d = 0; d < 7; ++d) {
    schema.push_back({Windowed(fmt::format("purchases_count_dw{}", d), delta), DataType::kInt64});
  }
  CalcerSpec spec;
  spec.name = "day_of_week_receipts";
  spec.args = {{"delta", delta}};
  spec.inputs = {{SourceTable::kReceipts, {"transaction_datetime"}}};
  spec.schema = schema;
  spec.start = [delta, schema](const FeatureParams& p) {
    return std::make_unique<State>(delta, schema, p);
  };
  return MakeSpecCalcer(std::move(spec));
}

}  // namespace upcamp::calcers

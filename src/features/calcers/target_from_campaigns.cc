// target_from_campaigns(date_to): the outcome columns of the campaigns row whose treatment_date
// is the day `date_to` (the campaign's treatment date, independent of the extraction's
// FeatureParams::date_to). Rows of other days are ignored; two rows of one client on that day
// are a data error. A target calcer: dropped from a model's serving config.

#include <vector>

#include "core/civil_time.h"
#include "features/calcers/calcers.h"
#include "features/calcers/helpers.h"

namespace upcamp::calcers {
namespace {

struct Row {
  int64_t treatment_flg = kNullInt64;
  double purchases_sum = kNullFloat64;
  double purchases_count = kNullFloat64;
  double points_spent = kNullFloat64;
};

class State : public CalcerState {
 public:
  State(int64_t treatment_date, Schema schema)
      : treatment_day_(DayIndex(treatment_date)), schema_(std::move(schema)) {}

  void Grow(size_t n) override {
    rows_.resize(n);
    present_.resize(n, 0);
  }

  Status Consume(SourceTable, const BatchRows& rows) override {
    auto date = Col(rows, "treatment_date").int64s();
    auto flg = Col(rows, "treatment_flg").int64s();
    auto sum = Col(rows, "target_purchases_sum").float64s();
    auto count = Col(rows, "target_purchases_count").float64s();
    auto points = Col(rows, "target_campaign_points_spent").float64s();
    for (uint32_t r : rows.rows) {
      if (date[r] == kNullInt64 || DayIndex(date[r]) != treatment_day_) continue;
      const auto c = static_cast<size_t>(rows.client[r]);
      if (present_[c]) {
        return Status::Data(
            "campaigns: client_id '{}' has more than one row with treatment_date {}; keep one "
            "row per client and campaign",
            Col(rows, "client_id").ValueToString(r), FormatDate(date[r]));
      }
      present_[c] = 1;
      rows_[c] = {flg[r], sum[r], count[r], points[r]};
    }
    return Status::Ok();
  }

  Result<CalcerOutput> Finish(size_t n) override {
    Grow(n);
    std::vector<int64_t> flg(n);
    std::vector<double> sum(n), count(n), points(n);
    for (size_t i = 0; i < n; ++i) {
      flg[i] = rows_[i].treatment_flg;
      sum[i] = rows_[i].purchases_sum;
      count[i] = rows_[i].purchases_count;
      points[i] = rows_[i].points_spent;
    }
    CalcerOutput out;
    out.present = present_;
    out.columns.push_back(Column::Int64(schema_[0].name, std::move(flg)));
    out.columns.push_back(Column::Float64(schema_[1].name, std::move(sum)));
    out.columns.push_back(Column::Float64(schema_[2].name, std::move(count)));
    out.columns.push_back(Column::Float64(schema_[3].name, std::move(points)));
    return out;
  }

 private:
  int64_t treatment_day_;
  Schema schema_;
  std::vector<Row> rows_;
  std::vector<uint8_t> present_;
};

}  // namespace

Result<std::unique_ptr<Calcer>> MakeTargetFromCampaigns(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys({"date_to"}));
  const ConfigNode* d = args.Find("date_to");
  if (!d || d->IsNull()) {
    return args.Error(
        "missing required argument 'date_to' (the campaign's treatment date, e.g. "
        "{{date_to: 2019-03-21}})");
  }
  UPCAMP_ASSIGN_OR_RETURN(int64_t date, d->AsDate());
  Schema schema = {{"treatment_flg", DataType::kInt64},
                   {"target_purchases_sum", DataType::kFloat64},
                   {"target_purchases_count", DataType::kFloat64},
                   {"target_campaign_points_spent", DataType::kFloat64}};
  CalcerSpec spec;
  spec.name = "target_from_campaigns";
  spec.args = {{"date_to", FormatDate(date)}};
  spec.inputs = {{SourceTable::kCampaigns,
                  {"treatment_flg", "treatment_date", "target_purchases_sum",
                   "target_purchases_count", "target_campaign_points_spent"}}};
  spec.schema = schema;
  spec.is_target = true;
  spec.start = [date, schema](const FeatureParams&) {
    return std::make_unique<State>(date, schema);
  };
  return MakeSpecCalcer(std::move(spec));
}

}  // namespace upcamp::calcers

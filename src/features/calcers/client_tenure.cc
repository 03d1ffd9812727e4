// client_tenure: how long a client has been in the loyalty programme as of date_to, from the
// profile. Point-in-time correct: a first_issue_date or first_redeem_date at or after date_to is
// in the future of the features and treated as missing. Days are fractional (the profile dates
// carry times).

#include <vector>

#include "core/civil_time.h"
#include "features/calcers/calcers.h"
#include "features/calcers/helpers.h"

namespace upcamp::calcers {
namespace {

class State : public CalcerState {
 public:
  State(Schema schema, const FeatureParams& p) : date_to_(p.date_to), schema_(std::move(schema)) {}

  void Grow(size_t n) override {
    issue_.resize(n, kNullInt64);
    redeem_.resize(n, kNullInt64);
    present_.resize(n, 0);
  }

  Status Consume(SourceTable, const BatchRows& rows) override {
    auto issue = Col(rows, "first_issue_date").int64s();
    auto redeem = Col(rows, "first_redeem_date").int64s();
    for (uint32_t r : rows.rows) {
      const auto c = static_cast<size_t>(rows.client[r]);
      if (present_[c]) {
        return Status::Data("client_profile: client_id '{}' appears more than once",
                            Col(rows, "client_id").ValueToString(r));
      }
      present_[c] = 1;
      issue_[c] = issue[r];
      redeem_[c] = redeem[r];
    }
    return Status::Ok();
  }

  Result<CalcerOutput> Finish(size_t n) override {
    Grow(n);
    std::vector<double> issue_days(n, kNullFloat64), redeem_days(n, kNullFloat64);
    std::vector<int64_t> redeemed(n, kNullInt64);
    auto days_before = [&](int64_t t) {
      return t != kNullInt64 && t < date_to_
                 ? static_cast<double>(date_to_ - t) / static_cast<double>(kSecondsPerDay)
                 : kNullFloat64;
    };
    for (size_t i = 0; i < n; ++i) {
      if (!present_[i]) continue;
      issue_days[i] = days_before(issue_[i]);
      redeem_days[i] = days_before(redeem_[i]);
      redeemed[i] = !std::isnan(redeem_days[i]);
    }
    CalcerOutput out;
    out.present = present_;
    out.columns.push_back(Column::Float64(schema_[0].name, std::move(issue_days)));
    out.columns.push_back(Column::Float64(schema_[1].name, std::move(redeem_days)));
    out.columns.push_back(Column::Int64(schema_[2].name, std::move(redeemed)));
    return out;
  }

 private:
  int64_t date_to_;
  Schema schema_;
  std::vector<int64_t> issue_, redeem_;
  std::vector<uint8_t> present_;
};

}  // namespace

Result<std::unique_ptr<Calcer>> MakeClientTenure(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys(std::vector<std::string>{}));
  Schema schema = {{"days_since_first_issue", DataType::kFloat64},
                   {"days_since_first_redeem", DataType::kFloat64},
                   {"has_redeemed", DataType::kInt64}};
  CalcerSpec spec;
  spec.name = "client_tenure";
  spec.inputs = {{SourceTable::kClientProfile, {"first_issue_date", "first_redeem_date"}}};
  spec.schema = schema;
  spec.start = [schema](const FeatureParams& p) { return std::make_unique<State>(schema, p); };
  return MakeSpecCalcer(std::move(spec));
}

}  // namespace upcamp::calcers

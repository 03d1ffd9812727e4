// age_gender: age and gender from client_profile, as they are (outliers included).

#include <vector>

#include "features/calcers/calcers.h"
#include "features/calcers/common.h"

namespace upcamp::calcers {
namespace {

class State : public CalcerState {
 public:
  void Grow(size_t n) override {
    age_.resize(n, kNullInt64);
    gender_.resize(n, kNullCode);
    present_.resize(n, 0);
  }

  Status Consume(SourceTable, const BatchRows& rows) override {
    const Column& gender = Col(rows, "gender");
    UPCAMP_RETURN_IF_ERROR(dict_.Capture(gender));
    auto age = Col(rows, "age").int64s();
    auto codes = gender.codes();
    for (uint32_t r : rows.rows) {
      const auto c = static_cast<size_t>(rows.client[r]);
      if (present_[c]) {
        return Status::Data("client_profile: client_id '{}' appears more than once",
                            Col(rows, "client_id").ValueToString(r));
      }
      present_[c] = 1;
      age_[c] = age[r];
      gender_[c] = codes[r];
    }
    return Status::Ok();
  }

  Result<CalcerOutput> Finish(size_t n) override {
    Grow(n);
    CalcerOutput out;
    out.present = present_;
    out.columns.push_back(Column::Int64("age", age_));
    out.columns.push_back(Column::String("gender", gender_, dict_.get()));
    return out;
  }

 private:
  std::vector<int64_t> age_;
  std::vector<int32_t> gender_;
  std::vector<uint8_t> present_;
  DictionaryHolder dict_;
};

class AgeGender : public Calcer {
 public:
  const std::string& name() const override {
    static const std::string kName = "age_gender";
    return kName;
  }
  nlohmann::json args() const override { return nlohmann::json::object(); }
  std::vector<TableInput> Inputs() const override {
    return {{SourceTable::kClientProfile, {"age", "gender"}}};
  }
  Schema OutputSchema() const override {
    return {{"age", DataType::kInt64}, {"gender", DataType::kString}};
  }
  std::unique_ptr<CalcerState> Start(const FeatureParams&) const override {
    return std::make_unique<State>();
  }
};

}  // namespace

Result<std::unique_ptr<Calcer>> MakeAgeGender(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys(std::vector<std::string>{}));
  return std::unique_ptr<Calcer>(std::make_unique<AgeGender>());
}

}  // namespace upcamp::calcers

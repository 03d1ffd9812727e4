// divide_cols(col_numerator, col_denominator, col_result): numerator / denominator as float64 with
// IEEE 754 semantics, as pandas divides: x/0 = ±inf for x != 0, 0/0 = NaN (missing), and a
// missing operand gives a missing result. Nothing to fit: the state is {}.

#include "features/transforms/common.h"
#include "features/transforms/transforms.h"

namespace upcamp::transforms {
namespace {

const std::string kName = "divide_cols";
constexpr int kVersion = 1;  // of the state format; bump when it changes

struct Args {
  std::string col_numerator, col_denominator, col_result;

  nlohmann::json ToJson() const {
    return {{"col_numerator", col_numerator},
            {"col_denominator", col_denominator},
            {"col_result", col_result}};
  }
  std::vector<std::string> Inputs() const { return {col_numerator, col_denominator}; }
  std::string What() const { return fmt::format("transform divide_cols ('{}')", col_result); }
};

class Fitted : public FittedTransform {
 public:
  explicit Fitted(Args a) : a_(std::move(a)) {}
  const std::string& name() const override { return kName; }
  nlohmann::json args() const override { return a_.ToJson(); }
  int version() const override { return kVersion; }
  nlohmann::json state() const override { return nlohmann::json::object(); }
  std::vector<std::string> InputColumns() const override { return a_.Inputs(); }
  std::vector<std::string> OutputColumns() const override { return {a_.col_result}; }

  Status Apply(Table& table) const override {
    UPCAMP_RETURN_IF_ERROR(CheckColumns(table, a_.Inputs(), a_.What()));
    UPCAMP_ASSIGN_OR_RETURN(std::vector<double> num,
                            NumericValues(table, a_.col_numerator, a_.What()));
    UPCAMP_ASSIGN_OR_RETURN(std::vector<double> den,
                            NumericValues(table, a_.col_denominator, a_.What()));
    // NaN is the missing sentinel, so IEEE division already propagates missing values and turns
    // 0/0 into missing.
    for (size_t i = 0; i < num.size(); ++i) num[i] /= den[i];
    return table.SetColumn(Column::Float64(a_.col_result, std::move(num)));
  }

 private:
  Args a_;
};

class DivideCols : public Transform {
 public:
  explicit DivideCols(Args a) : a_(std::move(a)) {}
  const std::string& name() const override { return kName; }
  int version() const override { return kVersion; }
  nlohmann::json args() const override { return a_.ToJson(); }
  std::vector<std::string> FitInputs() const override { return a_.Inputs(); }

  Result<std::unique_ptr<FittedTransform>> Fit(const Table& train) const override {
    UPCAMP_RETURN_IF_ERROR(CheckColumns(train, a_.Inputs(), a_.What()));
    return std::unique_ptr<FittedTransform>(std::make_unique<Fitted>(a_));
  }

 protected:
  Result<std::unique_ptr<FittedTransform>> RestoreState(
      const nlohmann::json& state) const override {
    if (!state.is_object() || !state.empty()) return StateError("expected {{}}");
    return std::unique_ptr<FittedTransform>(std::make_unique<Fitted>(a_));
  }

 private:
  Args a_;
};

}  // namespace

Result<std::unique_ptr<Transform>> MakeDivideCols(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys({"col_numerator", "col_denominator", "col_result"}));
  Args a;
  UPCAMP_ASSIGN_OR_RETURN(a.col_numerator, ReadColumnName(args, "col_numerator"));
  UPCAMP_ASSIGN_OR_RETURN(a.col_denominator, ReadColumnName(args, "col_denominator"));
  UPCAMP_ASSIGN_OR_RETURN(a.col_result, ReadColumnName(args, "col_result"));
  return std::unique_ptr<Transform>(std::make_unique<DivideCols>(std::move(a)));
}

}  // namespace upcamp::transforms

// expression(expression, col_result): evaluates an expression of the safe expression language
// (features/expression.h) into a float64 column. Nothing to fit: the state is {}.

#include "features/expression.h"

#include "features/transforms/common.h"
#include "features/transforms/transforms.h"

namespace upcamp::transforms {
namespace {

const std::string kName = "expression";
constexpr int kVersion = 1;  // of the state format; bump when it changes

struct Args {
  Expression expression;
  std::string col_result;

  nlohmann::json ToJson() const {
    return {{"expression", expression.text()}, {"col_result", col_result}};
  }
  std::string What() const { return fmt::format("transform expression ('{}')", col_result); }
};

class Fitted : public FittedTransform {
 public:
  explicit Fitted(Args a) : a_(std::move(a)) {}
  const std::string& name() const override { return kName; }
  nlohmann::json args() const override { return a_.ToJson(); }
  int version() const override { return kVersion; }
  nlohmann::json state() const override { return nlohmann::json::object(); }
  std::vector<std::string> InputColumns() const override { return a_.expression.ColumnNames(); }
  std::vector<std::string> OutputColumns() const override { return {a_.col_result}; }

  Status Apply(Table& table) const override {
    UPCAMP_RETURN_IF_ERROR(CheckColumns(table, InputColumns(), a_.What()));
    auto values = a_.expression.Evaluate(table);
    if (!values.ok()) return values.status().WithPrefix(a_.What());
    return table.SetColumn(Column::Float64(a_.col_result, std::move(values).value()));
  }

 private:
  Args a_;
};

class ExpressionTransform : public Transform {
 public:
  explicit ExpressionTransform(Args a) : a_(std::move(a)) {}
  const std::string& name() const override { return kName; }
  int version() const override { return kVersion; }
  nlohmann::json args() const override { return a_.ToJson(); }
  std::vector<std::string> FitInputs() const override { return a_.expression.ColumnNames(); }

  Result<std::unique_ptr<FittedTransform>> Fit(const Table& train) const override {
    UPCAMP_RETURN_IF_ERROR(CheckColumns(train, FitInputs(), a_.What()));
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

Result<std::unique_ptr<Transform>> MakeExpression(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys({"expression", "col_result"}));
  UPCAMP_ASSIGN_OR_RETURN(const ConfigNode* text_node, args.Get("expression"));
  UPCAMP_ASSIGN_OR_RETURN(std::string text, text_node->AsString());
  auto expression = Expression::Parse(text);
  if (!expression.ok()) {
    // The parser's message points at the column inside the expression; prefix where it is.
    return expression.status().WithPrefix(text_node->Location());
  }
  UPCAMP_ASSIGN_OR_RETURN(std::string col_result, ReadColumnName(args, "col_result"));
  return std::unique_ptr<Transform>(std::make_unique<ExpressionTransform>(
      Args{std::move(expression).value(), std::move(col_result)}));
}

}  // namespace upcamp::transforms

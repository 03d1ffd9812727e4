#include "features/expression.h"

#include <gtest/gtest.h>

#include <cmath>

#include "testing.h"

namespace upcamp {
namespace {

const double kNaN = std::nan("");

Table Sample() {
  return Table::Make({Column::Float64("x", {1.0, -2.0, kNaN, 4.0}),
                      Column::Int64("n", {1, 0, 3, kNullInt64}),
                      Column::StringFromValues("gender", {"F", "M", std::nullopt, "U"}),
                      Column::Float64("odd name", {10, 20, 30, 40})})
      .value();
}

std::vector<double> Eval(const std::string& text, const Table& t = Sample()) {
  auto e = Expression::Parse(text);
  EXPECT_TRUE(e.ok()) << e.status().ToString();
  if (!e.ok()) return {};
  auto v = e->Evaluate(t);
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : std::vector<double>{};
}

// NaN-aware comparison of vectors.
void ExpectValues(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "row " << i << " = " << got[i];
    } else {
      EXPECT_DOUBLE_EQ(got[i], want[i]) << "row " << i;
    }
  }
}

TEST(Expression, ArithmeticPrecedenceAndMissing) {
  ExpectValues(Eval("1 + 2 * x - n / 2"), {2.5, -3.0, kNaN, kNaN});
  ExpectValues(Eval("-(x + 1) * 2"), {-4, 2, kNaN, -10});
  ExpectValues(Eval("2 * -x"), {-2, 4, kNaN, -8});
  ExpectValues(Eval("1e1 + .5"), {10.5, 10.5, 10.5, 10.5});
}

TEST(Expression, ProfitTargetOfTheReferenceConfig) {
  Table t = Table::Make({Column::Float64("target_purchases_sum", {100, 0}),
                         Column::Float64("target_campaign_points_spent", {10, 0}),
                         Column::Int64("treatment_flg", {1, 0})})
                .value();
  ExpectValues(
      Eval("0.2*target_purchases_sum - 0.1*target_campaign_points_spent - 1.5*treatment_flg", t),
      {0.2 * 100 - 0.1 * 10 - 1.5, 0.0});
}

TEST(Expression, ComparisonsAndThreeValuedLogic) {
  ExpectValues(Eval("x > 0"), {1, 0, kNaN, 1});
  ExpectValues(Eval("x >= 1 and n > 0"), {1, 0, kNaN, kNaN});
  // false and missing = false; true or missing = true.
  ExpectValues(Eval("x > 100 and n > 0"), {0, 0, kNaN, 0});
  ExpectValues(Eval("x > 0 or n > 0"), {1, 0, 1, 1});
  ExpectValues(Eval("not x > 0"), {0, 1, kNaN, 0});
  ExpectValues(Eval("n == 0 or n != 0"), {1, 1, 1, kNaN});
}

TEST(Expression, StringColumnsCompareWithLiterals) {
  ExpectValues(Eval("gender == 'F'"), {1, 0, kNaN, 0});
  ExpectValues(Eval("\"M\" != gender"), {1, 0, kNaN, 1});
  ExpectValues(Eval("gender == 'nobody'"), {0, 0, kNaN, 0});
  ExpectValues(Eval("isnull(gender)"), {0, 0, 1, 0});
}

TEST(Expression, Functions) {
  ExpectValues(Eval("abs(x)"), {1, 2, kNaN, 4});
  ExpectValues(Eval("log1p(abs(x))"), {std::log1p(1.0), std::log1p(2.0), kNaN, std::log1p(4.0)});
  ExpectValues(Eval("log(x)"), {0, kNaN, kNaN, std::log(4.0)});
  ExpectValues(Eval("sqrt(4) + exp(0)"), {3, 3, 3, 3});
  ExpectValues(Eval("min(x, n, 2)"), {1, -2, kNaN, kNaN});
  ExpectValues(Eval("max(x, 0)"), {1, 0, kNaN, 4});
  ExpectValues(Eval("clip(x, -1, 2)"), {1, -1, kNaN, 2});
  ExpectValues(Eval("fillna(x, 0) + isnull(x)"), {1, -2, 1, 4});
  ExpectValues(Eval("notnull(n)"), {1, 1, 1, 0});
  ExpectValues(Eval("where(x > 0, 1, -1)"), {1, -1, kNaN, 1});
  ExpectValues(Eval("pow(x, 2) + floor(1.7) + ceil(0.2) + round(2.5)"), {5, 8, kNaN, 20});
  ExpectValues(Eval("`odd name` / 10"), {1, 2, 3, 4});
  ExpectValues(Eval("x / 0"), {INFINITY, -INFINITY, kNaN, INFINITY});
  ExpectValues(Eval("true + false"), {1, 1, 1, 1});
}

TEST(Expression, ColumnNames) {
  auto e = Expression::Parse("b + a * fillna(b, `c d`) > 0 and gender == 'F'").value();
  EXPECT_EQ(e.ColumnNames(), (std::vector<std::string>{"a", "b", "c d", "gender"}));
}

// Parse errors point at the offending column (1-based) with a caret under it.
void ExpectParseError(const std::string& text, const std::string& what, size_t column) {
  auto e = Expression::Parse(text);
  ASSERT_FALSE(e.ok()) << text;
  EXPECT_EQ(e.status().code(), ErrorCode::kConfig);
  const std::string& msg = e.status().message();
  EXPECT_NE(msg.find(what), std::string::npos) << msg;
  EXPECT_NE(msg.find("at column " + std::to_string(column)), std::string::npos) << msg;
  EXPECT_NE(msg.find("\n  " + std::string(column - 1, ' ') + "^"), std::string::npos) << msg;
}

TEST(Expression, ParseErrorsPointAtTheColumn) {
  ExpectParseError("0.2*x + lg(y)", "unknown function 'lg'", 9);
  ExpectParseError("x +", "unexpected end of expression", 4);
  ExpectParseError("(x + 1", "expected ')'", 7);
  ExpectParseError("x = 1", "'=' is not an operator", 3);
  ExpectParseError("x > 1 > 2", "cannot be chained", 7);
  ExpectParseError("clip(x, 1)", "clip() takes 3 arguments, got 2", 1);
  ExpectParseError("x $ 2", "unexpected character '$'", 3);
  ExpectParseError("gender < 'F'", "only be compared with == or !=", 8);
  ExpectParseError("'a' + 1", "cannot be used in arithmetic", 1);
  ExpectParseError("", "empty expression", 1);
  ExpectParseError("x 1", "unexpected '1'", 3);
  ExpectParseError("12abc", "bad number", 1);
  ExpectParseError("'open", "unterminated string", 1);
}

TEST(Expression, EvaluationErrorsNameTheColumn) {
  auto e = Expression::Parse("missing_col + 1").value();
  auto r = e.Evaluate(Sample());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("unknown column 'missing_col'"), std::string::npos);
  auto s = Expression::Parse("gender + 1").value().Evaluate(Sample());
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("column 'gender' holds strings"), std::string::npos);
  auto t = Expression::Parse("x == 'F'").value().Evaluate(Sample());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("column 'x' is float64, not a string"), std::string::npos);
}

}  // namespace
}  // namespace upcamp

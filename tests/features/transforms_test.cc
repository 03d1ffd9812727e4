// Transforms: golden values on small hand-made tables (expected values worked out by hand in the
// comments), fit on one table / apply to another, training vs scoring mode of the LOO encoder,
// JSON round trips, config and bundle errors, and a contract test over the whole registry.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "core/config.h"
#include "features/transform.h"
#include "features/transform_registry.h"
#include "features/transforms/common.h"
#include "testing.h"

namespace upcamp {
namespace {

const double kNaN = std::nan("");
const double kInf = std::numeric_limits<double>::infinity();

ConfigNode Yaml(const std::string& text) {
  auto node = ConfigNode::Parse(text, "train.yaml");
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  return node.ok() ? *node : ConfigNode();
}

// Builds one transform from a YAML flow mapping `{name: ..., args: {...}}`.
std::unique_ptr<Transform> Make(const std::string& entry_yaml) {
  auto t = MakeTransform(Yaml(entry_yaml));
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(t).value() : nullptr;
}

// The error of building `entry_yaml` (a YAML document with one entry or a list of entries).
Status MakeError(const std::string& yaml) {
  const ConfigNode node = Yaml(yaml);
  if (node.IsSequence()) {
    auto t = MakeTransforms(node);
    EXPECT_FALSE(t.ok());
    return t.ok() ? Status::Ok() : t.status();
  }
  auto t = MakeTransform(node);
  EXPECT_FALSE(t.ok());
  return t.ok() ? Status::Ok() : t.status();
}

// Serializes to text and back, as a bundle does.
std::unique_ptr<FittedTransform> RoundTrip(const FittedTransform& fitted) {
  const std::string text = fitted.ToJson().dump();
  auto back = FittedTransformFromJson(nlohmann::json::parse(text), "manifest.json: transforms[0]");
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  if (!back.ok()) return nullptr;
  EXPECT_EQ((*back)->ToJson(), fitted.ToJson());
  return std::move(back).value();
}

std::vector<double> Numbers(const Table& t, const std::string& col) {
  const Column* c = t.FindColumn(col);
  EXPECT_NE(c, nullptr) << "no column " << col;
  std::vector<double> out;
  if (!c) return out;
  for (size_t r = 0; r < c->size(); ++r) out.push_back(c->AsDouble(r));
  return out;
}

// Values as CSV text ("" for missing).
std::vector<std::string> Texts(const Table& t, const std::string& col) {
  const Column* c = t.FindColumn(col);
  EXPECT_NE(c, nullptr) << "no column " << col;
  std::vector<std::string> out;
  if (!c) return out;
  for (size_t r = 0; r < c->size(); ++r) out.push_back(c->ValueToString(r));
  return out;
}

// NaN-aware, exact comparison (the values are chosen to be exact in binary).
void ExpectValues(const std::vector<double>& got, const std::vector<double>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << "row " << i << " = " << got[i];
    } else {
      EXPECT_EQ(got[i], want[i]) << "row " << i;
    }
  }
}

// Same type, same values (floats bit for bit), for every column of `a` named in `cols`.
void ExpectSameColumns(const Table& a, const Table& b, const std::vector<std::string>& cols) {
  for (const auto& name : cols) {
    const Column* ca = a.FindColumn(name);
    const Column* cb = b.FindColumn(name);
    ASSERT_NE(ca, nullptr) << name;
    ASSERT_NE(cb, nullptr) << name;
    ASSERT_EQ(ca->type(), cb->type()) << name;
    ASSERT_EQ(ca->size(), cb->size()) << name;
    for (size_t r = 0; r < ca->size(); ++r) {
      EXPECT_EQ(ca->ValueToString(r), cb->ValueToString(r)) << name << " row " << r;
      if (ca->type() == DataType::kFloat64) {
        const double x = ca->float64s()[r], y = cb->float64s()[r];
        EXPECT_TRUE((std::isnan(x) && std::isnan(y)) || std::memcmp(&x, &y, sizeof x) == 0)
            << name << " row " << r << ": " << x << " vs " << y;
      }
    }
  }
}

// Fit on `train` (training mode), round-trip through JSON, apply both the in-memory and the
// restored object to `other` and check they agree; returns `other` with the outputs.
Table FitRoundTripApply(const Transform& t, Table& train, Table other) {
  auto fitted = t.FitTransform(train);
  EXPECT_TRUE(fitted.ok()) << fitted.status().ToString();
  if (!fitted.ok()) return other;
  auto restored = RoundTrip(**fitted);
  if (!restored) return other;
  Table a = other, b = other;
  EXPECT_OK((*fitted)->Apply(a));
  EXPECT_OK(restored->Apply(b));
  ExpectSameColumns(a, b, (*fitted)->OutputColumns());
  EXPECT_EQ(restored->OutputColumns(), (*fitted)->OutputColumns());
  EXPECT_EQ(restored->InputColumns(), (*fitted)->InputColumns());
  return a;
}

// ---- expression ---------------------------------------------------------------------------------

TEST(ExpressionTransform, EvaluatesIntoFloatColumnWithMissingPropagating) {
  Table t = Table::Make(
                {Column::Float64("x", {1, -2, kNaN, 4}), Column::Int64("n", {1, 0, 3, kNullInt64})})
                .value();
  auto tr = Make("{name: expression, args: {expression: 'x * 2 + n', col_result: y}}");
  ASSERT_NE(tr, nullptr);
  EXPECT_EQ(tr->FitInputs(), (std::vector<std::string>{"n", "x"}));
  ASSERT_OK_AND_ASSIGN(auto fitted, tr->FitTransform(t));
  EXPECT_EQ(fitted->state(), nlohmann::json::object());
  // 1*2+1 = 3; -2*2+0 = -4; NaN*2 → missing; 4*2 + missing → missing.
  ASSERT_EQ(t.FindColumn("y")->type(), DataType::kFloat64);
  ExpectValues(Numbers(t, "y"), {3, -4, kNaN, kNaN});
  EXPECT_EQ(fitted->OutputColumns(), (std::vector<std::string>{"y"}));
}

TEST(ExpressionTransform, ParseErrorPointsAtTheLineAndTheColumnInTheExpression) {
  const Status st = MakeError(
      "- name: expression\n"
      "  args:\n"
      "    expression: \"0.2*x + lg(y)\"\n"
      "    col_result: z\n");
  EXPECT_EQ(st.code(), ErrorCode::kConfig);
  EXPECT_NE(st.message().find("train.yaml:3:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("unknown function 'lg'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("at column 9"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("        ^"), std::string::npos) << st.message();
}

TEST(ExpressionTransform, ApplyToATableWithoutTheColumnIsADataErrorNamingIt) {
  Table train = Table::Make({Column::Float64("x", {1})}).value();
  auto tr = Make("{name: expression, args: {expression: 'x + 1', col_result: y}}");
  ASSERT_OK_AND_ASSIGN(auto fitted, tr->Fit(train));
  Table other = Table::Make({Column::Float64("z", {1})}).value();
  const Status st = fitted->Apply(other);
  EXPECT_EQ(st.code(), ErrorCode::kData);
  EXPECT_NE(st.message().find("no column x"), std::string::npos) << st.message();
  EXPECT_EQ(other.num_columns(), 1u);  // unchanged
}

// ---- divide_cols --------------------------------------------------------------------------------

TEST(DivideCols, IeeeDivisionLikePandas) {
  Table t = Table::Make({Column::Float64("num", {1, -1, 0, 6, kNaN, 2, 7}),
                         Column::Int64("den", {0, 0, 0, 3, 1, kNullInt64, -2})})
                .value();
  auto tr =
      Make("{name: divide_cols, args: {col_numerator: num, col_denominator: den, col_result: r}}");
  ASSERT_OK_AND_ASSIGN(auto fitted, tr->FitTransform(t));
  // 1/0 = inf, -1/0 = -inf, 0/0 = NaN (missing), 6/3 = 2, missing/1 and 2/missing missing,
  // 7/-2 = -3.5.
  ExpectValues(Numbers(t, "r"), {kInf, -kInf, kNaN, 2, kNaN, kNaN, -3.5});
  EXPECT_EQ(t.FindColumn("r")->type(), DataType::kFloat64);
  EXPECT_EQ(fitted->InputColumns(), (std::vector<std::string>{"num", "den"}));
}

TEST(DivideCols, StringOperandIsADataError) {
  Table t = Table::Make(
                {Column::Float64("num", {1}), Column::StringFromValues("den", {std::string("a")})})
                .value();
  auto tr =
      Make("{name: divide_cols, args: {col_numerator: num, col_denominator: den, col_result: r}}");
  auto fitted = tr->FitTransform(t);
  ASSERT_FALSE(fitted.ok());
  EXPECT_EQ(fitted.status().code(), ErrorCode::kData);
  EXPECT_NE(fitted.status().message().find("'den' must be numeric"), std::string::npos)
      << fitted.status().message();
}

// ---- binning ------------------------------------------------------------------------------------

TEST(Binning, FixedIntegerEdgesAreRightClosedWithPandasLabels) {
  Table t =
      Table::Make({Column::Float64("x", {0, 0.5, 10, 10.000001, 20, 20.5, kNaN, -1})}).value();
  auto tr = Make("{name: binning, args: {col_value: x, col_result: b, bins: [0, 10, 20]}}");
  ASSERT_OK_AND_ASSIGN(auto fitted, tr->FitTransform(t));
  ASSERT_EQ(t.FindColumn("b")->type(), DataType::kString);
  // (0, 10] and (10, 20]: 0 is not in (0, 10]; 10 sits exactly on an edge and belongs to the
  // lower bin; 20 to (10, 20]; 20.5 and -1 are outside; NaN stays missing.
  EXPECT_EQ(Texts(t, "b"), (std::vector<std::string>{"", "(0, 10]", "(0, 10]", "(10, 20]",
                                                     "(10, 20]", "", "", ""}));
  EXPECT_EQ(fitted->state()["labels"], nlohmann::json({"(0, 10]", "(10, 20]"}));
}

TEST(Binning, FloatEdgesPrintAsPythonFloats) {
  Table t = Table::Make({Column::Float64("x", {0.5, 0.75, 1})}).value();
  auto tr = Make("{name: binning, args: {col_value: x, col_result: b, bins: [0, 0.5, 1]}}");
  ASSERT_OK_AND_ASSIGN(auto fitted, tr->FitTransform(t));
  // numpy makes [0, 0.5, 1] a float array, so pandas prints "(0.0, 0.5]" and "(0.5, 1.0]".
  EXPECT_EQ(Texts(t, "b"), (std::vector<std::string>{"(0.0, 0.5]", "(0.5, 1.0]", "(0.5, 1.0]"}));
}

TEST(Binning, IntegerCountFitsEdgesAsPandasCutDoes) {
  // The pandas.cut documentation example: pd.cut(np.array([1, 7, 5, 4, 6, 3]), 3) gives
  // [(0.994, 3.0], (5.0, 7.0], (3.0, 5.0], (3.0, 5.0], (5.0, 7.0], (0.994, 3.0]].
  // mn = 1, mx = 7: linspace(1, 7, 4) = [1, 3, 5, 7], then edges[0] -= 0.001 * (7 - 1).
  Table train = Table::Make({Column::Int64("x", {1, 7, 5, 4, 6, 3})}).value();
  auto tr = Make("{name: binning, args: {col_value: x, col_result: b, bins: 3}}");
  ASSERT_OK_AND_ASSIGN(auto fitted, tr->FitTransform(train));
  EXPECT_EQ(Texts(train, "b"),
            (std::vector<std::string>{"(0.994, 3.0]", "(5.0, 7.0]", "(3.0, 5.0]", "(3.0, 5.0]",
                                      "(5.0, 7.0]", "(0.994, 3.0]"}));
  const auto edges = fitted->state()["edges"];
  ASSERT_EQ(edges.size(), 4u);
  EXPECT_EQ(edges[0].get<double>(), 1.0 - (7.0 - 1.0) * 0.001);
  EXPECT_NEAR(edges[0].get<double>(), 0.994, 1e-15);
  EXPECT_EQ(edges[1].get<double>(), 3.0);
  EXPECT_EQ(edges[2].get<double>(), 5.0);
  EXPECT_EQ(edges[3].get<double>(), 7.0);

  // Applied to other data the *training* edges hold: 0.99 < 0.994 is outside, 0.995 is in the
  // first bin, 3 on an edge is in the first bin, 7 is in the last, 7.01 is outside.
  Table other = Table::Make({Column::Float64("x", {0.99, 0.995, 3, 7, 7.01, 100})}).value();
  Table out = FitRoundTripApply(*tr, train, other);
  EXPECT_EQ(Texts(out, "b"),
            (std::vector<std::string>{"", "(0.994, 3.0]", "(0.994, 3.0]", "(5.0, 7.0]", "", ""}));
}

TEST(Binning, ConstantColumnWidensTheRangeByATenthOfAPercent) {
  // mn == mx == 0: mn -= 0.001, mx += 0.001; linspace(-0.001, 0.001, 3) = [-0.001, 0, 0.001].
  // pd.cut([0, 0], 2) → (-0.001, 0.0] twice.
  Table zeros = Table::Make({Column::Float64("x", {0, 0})}).value();
  auto tr = Make("{name: binning, args: {col_value: x, col_result: b, bins: 2}}");
  ASSERT_OK_AND_ASSIGN(auto fitted, tr->FitTransform(zeros));
  EXPECT_EQ(Texts(zeros, "b"), (std::vector<std::string>{"(-0.001, 0.0]", "(-0.001, 0.0]"}));
  EXPECT_EQ(fitted->state()["labels"], nlohmann::json({"(-0.001, 0.0]", "(0.0, 0.001]"}));
  // mn == mx == 5: 5 ∓ 0.005 → edges [4.995, 5.0, 5.005].
  Table fives = Table::Make({Column::Float64("x", {5, 5})}).value();
  ASSERT_OK_AND_ASSIGN(auto fitted5, tr->Fit(fives));
  EXPECT_EQ(fitted5->state()["labels"], nlohmann::json({"(4.995, 5.0]", "(5.0, 5.005]"}));
}

TEST(Binning, NegativeZeroMaximumIsZero) {
  // pandas takes min + 0.0 and max + 0.0, so a -0.0 maximum gives the edge 0.0:
  // pd.cut([-0.001, -0.0], 2) → ['(-0.001, -0.0005]', '(-0.0005, 0.0]'].
  Table t = Table::Make({Column::Float64("x", {-0.001, -0.0})}).value();
  auto tr = Make("{name: binning, args: {col_value: x, col_result: b, bins: 2}}");
  ASSERT_OK_AND_ASSIGN(auto fitted, tr->FitTransform(t));
  EXPECT_EQ(Texts(t, "b"), (std::vector<std::string>{"(-0.001, -0.0005]", "(-0.0005, 0.0]"}));
}

TEST(Binning, LabelPrecisionGrowsUntilEdgesAreDistinct) {
  // pd.cut([0, 1], 3): edges [-0.001, 1/3, 2/3, 1] → precision 3 suffices.
  Table t = Table::Make({Column::Float64("x", {0, 1})}).value();
  auto tr = Make("{name: binning, args: {col_value: x, col_result: b, bins: 3}}");
  ASSERT_OK_AND_ASSIGN(auto f1, tr->Fit(t));
  EXPECT_EQ(f1->state()["labels"],
            nlohmann::json({"(-0.001, 0.333]", "(0.333, 0.667]", "(0.667, 1.0]"}));
  // [1, 1.0003] in 3 bins: edges ≈ [0.9999997, 1.0001, 1.0002, 1.0003] all round to 1.0 at 3
  // decimals, so pandas' _infer_precision moves to 4.
  Table u = Table::Make({Column::Float64("x", {1, 1.0003})}).value();
  ASSERT_OK_AND_ASSIGN(auto f2, tr->Fit(u));
  EXPECT_EQ(f2->state()["labels"],
            nlohmann::json({"(1.0, 1.0001]", "(1.0001, 1.0002]", "(1.0002, 1.0003]"}));
}

TEST(Binning, LabelsAsTextsNumbersOrBinNumbers) {
  Table base = Table::Make({Column::Int64("x", {1, 7, 5, 4, 6, 3, kNullInt64})}).value();
  {
    // pd.cut(np.array([1, 7, 5, 4, 6, 3]), 3, labels=["bad", "medium", "good"]).
    Table t = base;
    auto tr = Make(
        "{name: binning, args: {col_value: x, col_result: b, bins: 3, labels: [bad, medium, "
        "good]}}");
    ASSERT_OK(tr->FitTransform(t).status());
    EXPECT_EQ(Texts(t, "b"),
              (std::vector<std::string>{"bad", "good", "medium", "medium", "good", "bad", ""}));
  }
  {
    Table t = base;
    auto tr = Make(
        "{name: binning, args: {col_value: x, col_result: b, bins: 3, labels: [10, 20, 30.5]}}");
    ASSERT_OK(tr->FitTransform(t).status());
    ASSERT_EQ(t.FindColumn("b")->type(), DataType::kFloat64);
    ExpectValues(Numbers(t, "b"), {10, 30.5, 20, 20, 30.5, 10, kNaN});
  }
  {
    // labels: false → the bin number, as pandas' labels=False.
    Table t = base;
    auto tr = Make("{name: binning, args: {col_value: x, col_result: b, bins: 3, labels: false}}");
    ASSERT_OK(tr->FitTransform(t).status());
    ASSERT_EQ(t.FindColumn("b")->type(), DataType::kFloat64);
    ExpectValues(Numbers(t, "b"), {0, 2, 1, 1, 2, 0, kNaN});
  }
}

TEST(Binning, InfiniteEdgesRoundTrip) {
  Table t = Table::Make({Column::Float64("x", {-5, 0, 3, kInf, -kInf})}).value();
  auto tr = Make("{name: binning, args: {col_value: x, col_result: b, bins: [-.inf, 0, .inf]}}");
  // (-inf, 0] holds -5 and 0; (0, inf] holds 3 and inf; -inf is not > -inf, so it is outside.
  Table out = FitRoundTripApply(*tr, t, t);
  EXPECT_EQ(Texts(out, "b"), (std::vector<std::string>{"(-inf, 0.0]", "(-inf, 0.0]", "(0.0, inf]",
                                                       "(0.0, inf]", ""}));
  EXPECT_EQ(tr->args()["bins"], nlohmann::json({"-inf", 0, "inf"}));
}

TEST(Binning, FittingOnAnAllMissingOrInfiniteColumnIsADataError) {
  auto tr = Make("{name: binning, args: {col_value: x, col_result: b, bins: 4}}");
  Table missing = Table::Make({Column::Float64("x", {kNaN, kNaN})}).value();
  auto f = tr->Fit(missing);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), ErrorCode::kData);
  EXPECT_NE(f.status().message().find("no non-missing value"), std::string::npos);
  Table inf = Table::Make({Column::Float64("x", {1, kInf})}).value();
  auto g = tr->Fit(inf);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("infinite"), std::string::npos) << g.status().message();
}

TEST(Binning, ConfigErrorsNameTheLine) {
  Status st = MakeError(
      "- name: binning\n"
      "  args:\n"
      "    col_value: x\n"
      "    col_result: b\n"
      "    bins: [0, 10, 10]\n");
  EXPECT_EQ(st.code(), ErrorCode::kConfig);
  EXPECT_NE(st.message().find("train.yaml:5:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("increase strictly"), std::string::npos) << st.message();

  st = MakeError(
      "- name: binning\n"
      "  args: {col_value: x, col_result: b, bins: 3,\n"
      "         labels: [a, b]}\n");
  EXPECT_NE(st.message().find("train.yaml:3:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("2 labels for 3 bins"), std::string::npos) << st.message();

  st = MakeError(
      "- name: binning\n"
      "  args:\n"
      "    col_value: x\n"
      "    col_result: b\n"
      "    bins: 3\n"
      "    lables: [a, b, c]\n");
  EXPECT_NE(st.message().find("train.yaml:6:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("unknown key 'lables'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("did you mean 'labels'"), std::string::npos) << st.message();

  st = MakeError("{name: binning, args: {col_value: x, col_result: b, bins: 2.5}}");
  EXPECT_NE(st.message().find("whole number of bins"), std::string::npos) << st.message();
  st = MakeError(
      "{name: binning, args: {col_value: x, col_result: b, bins: [0, 1, 2],"
      " labels: [a, a]}}");
  EXPECT_NE(st.message().find("appears twice"), std::string::npos) << st.message();
  st = MakeError("{name: binning, args: {col_value: x, col_result: b}}");
  EXPECT_NE(st.message().find("missing required argument 'bins'"), std::string::npos)
      << st.message();
}

// ---- one_hot_encode -----------------------------------------------------------------------------

Table OheTrain() {
  return Table::Make({Column::StringFromValues("gender", {"M", "F", std::nullopt, "U", "F"}),
                      Column::Int64("level", {3, 1, 3, kNullInt64, 2})})
      .value();
}

TEST(OneHotEncode, SortedCategoriesBecomeZeroOneColumnsAndSourcesAreKept) {
  Table t = OheTrain();
  auto tr = Make("{name: one_hot_encode, args: {cols: [gender, level]}}");
  ASSERT_OK_AND_ASSIGN(auto fitted, tr->FitTransform(t));
  // Categories sorted: gender F < M < U; level 1 < 2 < 3 (numerically).
  EXPECT_EQ(fitted->OutputColumns(),
            (std::vector<std::string>{"ohe__gender__F", "ohe__gender__M", "ohe__gender__U",
                                      "ohe__level__1", "ohe__level__2", "ohe__level__3"}));
  ASSERT_EQ(t.FindColumn("ohe__gender__F")->type(), DataType::kInt64);
  // Rows: (M,3) (F,1) (missing,3) (U,missing) (F,2); missing → all zeros.
  ExpectValues(Numbers(t, "ohe__gender__F"), {0, 1, 0, 0, 1});
  ExpectValues(Numbers(t, "ohe__gender__M"), {1, 0, 0, 0, 0});
  ExpectValues(Numbers(t, "ohe__gender__U"), {0, 0, 0, 1, 0});
  ExpectValues(Numbers(t, "ohe__level__1"), {0, 1, 0, 0, 0});
  ExpectValues(Numbers(t, "ohe__level__2"), {0, 0, 0, 0, 1});
  ExpectValues(Numbers(t, "ohe__level__3"), {1, 0, 1, 0, 0});
  EXPECT_NE(t.FindColumn("gender"), nullptr);
  EXPECT_NE(t.FindColumn("level"), nullptr);
  EXPECT_EQ(t.num_columns(), 8u);
}

TEST(OneHotEncode, UnseenAndMissingValuesAtApplyGiveAllZeros) {
  Table train = OheTrain();
  auto tr = Make("{name: one_hot_encode, args: {cols: [gender, level]}}");
  // A new table: "X" and 7 were never seen; its dictionary has other codes than training's.
  Table other = Table::Make({Column::StringFromValues("gender", {"X", "U", std::nullopt, "F"}),
                             Column::Int64("level", {2, 7, kNullInt64, 1})})
                    .value();
  Table out = FitRoundTripApply(*tr, train, other);
  ExpectValues(Numbers(out, "ohe__gender__F"), {0, 0, 0, 1});
  ExpectValues(Numbers(out, "ohe__gender__M"), {0, 0, 0, 0});
  ExpectValues(Numbers(out, "ohe__gender__U"), {0, 1, 0, 0});
  ExpectValues(Numbers(out, "ohe__level__1"), {0, 0, 0, 1});
  ExpectValues(Numbers(out, "ohe__level__2"), {1, 0, 0, 0});
  ExpectValues(Numbers(out, "ohe__level__3"), {0, 0, 0, 0});
}

TEST(OneHotEncode, FloatCategoriesAreNamedLikePythonAndMatchNumerically) {
  Table train = Table::Make({Column::Float64("x", {2.5, 1.0, -0.0, 0.0, kNaN})}).value();
  auto tr = Make("{name: one_hot_encode, args: {cols: x}}");
  ASSERT_OK_AND_ASSIGN(auto fitted, tr->FitTransform(train));
  // -0.0 and 0.0 are one category; NaN is missing, not a category.
  EXPECT_EQ(fitted->OutputColumns(),
            (std::vector<std::string>{"ohe__x__0.0", "ohe__x__1.0", "ohe__x__2.5"}));
  ExpectValues(Numbers(train, "ohe__x__0.0"), {0, 0, 1, 1, 0});
  // At scoring an int64 column compares numerically: 1 matches 1.0.
  Table other = Table::Make({Column::Int64("x", {1, 3})}).value();
  ASSERT_OK(fitted->Apply(other));
  ExpectValues(Numbers(other, "ohe__x__1.0"), {1, 0});
}

TEST(OneHotEncode, TooManyCategoriesAndTypeChangesAreDataErrors) {
  Table t = Table::Make({Column::Int64("id", {1, 2, 3})}).value();
  auto limited = Make("{name: one_hot_encode, args: {cols: [id], category_limit: 2}}");
  auto f = limited->Fit(t);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("3 distinct values, more than category_limit (2)"),
            std::string::npos)
      << f.status().message();

  Table train = OheTrain();
  auto tr = Make("{name: one_hot_encode, args: {cols: [gender]}}");
  ASSERT_OK_AND_ASSIGN(auto fitted, tr->Fit(train));
  Table other = Table::Make({Column::Int64("gender", {1})}).value();
  const Status st = fitted->Apply(other);
  EXPECT_EQ(st.code(), ErrorCode::kData);
  EXPECT_NE(st.message().find("held strings when the transform was fitted"), std::string::npos)
      << st.message();
  EXPECT_EQ(other.num_columns(), 1u);
}

// ---- loo_mean_target_encoder --------------------------------------------------------------------

// Rows (category, target); targets not missing: 1 2 6 4 10 5 7 → global mean 35 / 7 = 5.
// a: 1 + 2 + 6 = 9 over 3 rows (mean 3); b: 4 + 10 = 14 over 2 (mean 7); c: 5 alone;
// d: only a missing target (count 0); row 6 has no category.
Table LooTrain() {
  return Table::Make({Column::StringFromValues(
                          "cat", {"a", "a", "a", "b", "b", "c", std::nullopt, "a", "d"}),
                      Column::Float64("y", {1, 2, 6, 4, 10, 5, 7, kNaN, kNaN})})
      .value();
}

std::unique_ptr<Transform> MakeLoo() {
  return Make(
      "{name: loo_mean_target_encoder, args: {col_categorical: cat, col_target: y, col_result: "
      "te}}");
}

TEST(LooMeanTargetEncoder, TrainingModeLeavesEachRowOut) {
  Table train = LooTrain();
  ASSERT_OK_AND_ASSIGN(auto fitted, MakeLoo()->FitTransform(train));
  // a rows: (9-1)/2 = 4, (9-2)/2 = 3.5, (9-6)/2 = 1.5; b rows: (14-4)/1 = 10, (14-10)/1 = 4;
  // c has no other row → global mean 5; no category → 5; a with a missing target took no part:
  // its category mean 3; d with a missing target: d has no target at all → 5.
  ExpectValues(Numbers(train, "te"), {4, 3.5, 1.5, 10, 4, 5, 5, 3, 5});
  EXPECT_EQ(fitted->state()["global_mean"].get<double>(), 5.0);
}

TEST(LooMeanTargetEncoder, ScoringModeUsesFullTrainingMeans) {
  Table train = LooTrain();
  auto tr = MakeLoo();
  ASSERT_OK_AND_ASSIGN(auto fitted, tr->Fit(train));
  // Scoring mode on the training rows themselves: a → 3, b → 7, c (seen once) → 5 (the global
  // mean, as category_encoders), missing → 5, d (no target) → 5. Never the leave-one-out values.
  Table same = LooTrain();
  ASSERT_OK(fitted->Apply(same));
  ExpectValues(Numbers(same, "te"), {3, 3, 3, 7, 7, 5, 5, 3, 5});

  // New data without the target column: unseen "zzz" and missing → global mean 5.
  Table other =
      Table::Make({Column::StringFromValues("cat", {"b", "zzz", std::nullopt, "a", "c"})}).value();
  Table fresh = LooTrain();
  Table out = FitRoundTripApply(*tr, fresh, other);
  ExpectValues(Numbers(out, "te"), {7, 5, 5, 3, 5});
  EXPECT_EQ(fitted->InputColumns(), (std::vector<std::string>{"cat"}));
  EXPECT_EQ(tr->FitInputs(), (std::vector<std::string>{"cat", "y"}));
}

TEST(LooMeanTargetEncoder, IntegerCategories) {
  // cat 1: targets 1, 3 (sum 4); cat 2: target 5 alone. Global mean 9/3 = 3.
  Table train =
      Table::Make({Column::Int64("cat", {1, 1, 2}), Column::Int64("y", {1, 3, 5})}).value();
  ASSERT_OK_AND_ASSIGN(auto fitted, MakeLoo()->FitTransform(train));
  // Training: (4-1)/1 = 3, (4-3)/1 = 1, cat 2 alone → 3.
  ExpectValues(Numbers(train, "te"), {3, 1, 3});
  // Scoring: 1 → 2, 2 (seen once) → 3, 9 (unseen) → 3; a float 1.0 matches category 1.
  Table other = Table::Make({Column::Float64("cat", {1.0, 2, 9})}).value();
  ASSERT_OK(fitted->Apply(other));
  ExpectValues(Numbers(other, "te"), {2, 3, 3});
}

TEST(LooMeanTargetEncoder, NoTargetIsADataError) {
  Table train =
      Table::Make({Column::StringFromValues("cat", {"a"}), Column::Float64("y", {kNaN})}).value();
  auto f = MakeLoo()->Fit(train);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), ErrorCode::kData);
  EXPECT_NE(f.status().message().find("no non-missing value"), std::string::npos);
  const Status same = MakeError(
      "{name: loo_mean_target_encoder, args: {col_categorical: g, col_target: g, col_result: "
      "te}}");
  EXPECT_NE(same.message().find("are the same column"), std::string::npos) << same.message();
}

// ---- lists of transforms ------------------------------------------------------------------------

const char* kPipeline =
    "- {name: divide_cols, args: {col_numerator: a, col_denominator: b, col_result: ratio}}\n"
    "- {name: binning, args: {col_value: ratio, col_result: ratio_bin, bins: 2}}\n"
    "- {name: one_hot_encode, args: {cols: [ratio_bin]}}\n"
    "- {name: loo_mean_target_encoder,\n"
    "   args: {col_categorical: gender, col_target: y, col_result: gender_te}}\n";

Table PipelineTrain() {
  return Table::Make({Column::Float64("a", {1, 2, 3, 8}), Column::Float64("b", {1, 1, 1, 2}),
                      Column::StringFromValues("gender", {"F", "F", "M", "M"}),
                      Column::Float64("y", {1, 3, 10, 20})})
      .value();
}

TEST(TransformList, LaterTransformsSeeEarlierOutputs) {
  ASSERT_OK_AND_ASSIGN(auto transforms, MakeTransforms(Yaml(kPipeline)));
  Table train = PipelineTrain();
  ASSERT_OK_AND_ASSIGN(FittedTransforms fitted, FitTransforms(transforms, train));
  // ratio = [1, 2, 3, 4]; 2 bins on [1, 4]: edges [0.997, 2.5, 4.0].
  ExpectValues(Numbers(train, "ratio"), {1, 2, 3, 4});
  EXPECT_EQ(Texts(train, "ratio_bin"),
            (std::vector<std::string>{"(0.997, 2.5]", "(0.997, 2.5]", "(2.5, 4.0]", "(2.5, 4.0]"}));
  ExpectValues(Numbers(train, "ohe__ratio_bin__(0.997, 2.5]"), {1, 1, 0, 0});
  // Training mode for the encoder: F rows get each other's target (3, 1), M rows (20, 10).
  ExpectValues(Numbers(train, "gender_te"), {3, 1, 20, 10});

  // Scoring needs a, b and gender only: ratio and ratio_bin come from earlier transforms, the
  // target y is not needed.
  EXPECT_EQ(RequiredColumns(fitted), (std::vector<std::string>{"a", "b", "gender"}));
  EXPECT_EQ(MissingColumns(fitted, {"gender", "a"}), (std::vector<std::string>{"b"}));
  EXPECT_EQ(ProducedColumns(fitted),
            (std::vector<std::string>{"ratio", "ratio_bin", "ohe__ratio_bin__(0.997, 2.5]",
                                      "ohe__ratio_bin__(2.5, 4.0]", "gender_te"}));

  Table scoring = Table::Make({Column::Float64("a", {1, 10}), Column::Float64("b", {4, 4}),
                               Column::StringFromValues("gender", {"M", "X"})})
                      .value();
  Table in_memory = scoring;
  ASSERT_OK(ApplyTransforms(fitted, in_memory));
  // ratio 0.25 is below the first edge → missing bin → zeros; 2.5 is on an edge → first bin.
  EXPECT_EQ(Texts(in_memory, "ratio_bin"), (std::vector<std::string>{"", "(0.997, 2.5]"}));
  ExpectValues(Numbers(in_memory, "ohe__ratio_bin__(0.997, 2.5]"), {0, 1});
  // M → (10 + 20) / 2 = 15; unseen X → global mean 34 / 4 = 8.5.
  ExpectValues(Numbers(in_memory, "gender_te"), {15, 8.5});

  // The same list through JSON text gives identical columns.
  const std::string text = FittedTransformsToJson(fitted).dump(2);
  ASSERT_OK_AND_ASSIGN(FittedTransforms restored,
                       FittedTransformsFromJson(nlohmann::json::parse(text), "transforms"));
  Table from_json = scoring;
  ASSERT_OK(ApplyTransforms(restored, from_json));
  ExpectSameColumns(in_memory, from_json, ProducedColumns(fitted));
}

TEST(TransformList, ApplyListsEveryMissingColumn) {
  ASSERT_OK_AND_ASSIGN(auto transforms, MakeTransforms(Yaml(kPipeline)));
  Table train = PipelineTrain();
  ASSERT_OK_AND_ASSIGN(FittedTransforms fitted, FitTransforms(transforms, train));
  Table scoring = Table::Make({Column::Float64("a", {1})}).value();
  const Status st = ApplyTransforms(fitted, scoring);
  EXPECT_EQ(st.code(), ErrorCode::kData);
  EXPECT_NE(st.message().find("b, gender"), std::string::npos) << st.message();
  EXPECT_EQ(scoring.num_columns(), 1u);
}

TEST(TransformList, ConfigErrorsNameTheEntryLine) {
  Status st = MakeError(
      "- {name: expression, args: {expression: x, col_result: y}}\n"
      "- {name: bining, args: {col_value: x}}\n");
  EXPECT_EQ(st.code(), ErrorCode::kConfig);
  EXPECT_NE(st.message().find("train.yaml:2:"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("unknown transform 'bining' (known: expression, divide_cols, "
                              "binning, one_hot_encode, loo_mean_target_encoder)"),
            std::string::npos)
      << st.message();
  st = MakeError("- {name: divide_cols, args: {col_numerator: a, col_result: r}}\n");
  EXPECT_NE(st.message().find("missing required argument 'col_denominator'"), std::string::npos)
      << st.message();
  st = MakeError("- {name: one_hot_encode, args: {cols: [a, a]}}\n");
  EXPECT_NE(st.message().find("lists 'a' twice"), std::string::npos) << st.message();
  ASSERT_OK_AND_ASSIGN(auto none, MakeTransforms(ConfigNode()));
  EXPECT_TRUE(none.empty());
}

// ---- bundle JSON --------------------------------------------------------------------------------

nlohmann::json FittedBinningJson() {
  Table t = Table::Make({Column::Float64("x", {1, 2})}).value();
  auto tr = Make("{name: binning, args: {col_value: x, col_result: b, bins: 2}}");
  auto f = tr->Fit(t);
  EXPECT_TRUE(f.ok());
  return f.ok() ? (*f)->ToJson() : nlohmann::json();
}

TEST(TransformJson, RefusesUnknownNamesVersionsAndMalformedStates) {
  nlohmann::json j = FittedBinningJson();
  ASSERT_EQ(j["version"], 1);
  ASSERT_OK(FittedTransformFromJson(j, "m.json").status());

  auto expect_error = [](const nlohmann::json& entry, const std::string& needle) {
    auto r = FittedTransformFromJson(entry, "m.json: transforms[0]");
    ASSERT_FALSE(r.ok()) << entry.dump();
    EXPECT_EQ(r.status().code(), ErrorCode::kData);
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().message();
    EXPECT_NE(r.status().message().find("m.json: transforms[0]"), std::string::npos);
  };
  nlohmann::json e = j;
  e["name"] = "quantile_binning";
  expect_error(e, "unknown transform 'quantile_binning' (this build knows: expression");
  e = j;
  e["version"] = 2;
  expect_error(e, "state version 2 was written by a newer upcamp");
  e = j;
  e["version"] = 0;
  expect_error(e, "no longer supported");
  e = j;
  e["state"]["edges"] = {3, 2, 1};
  expect_error(e, "increase strictly");
  e = j;
  e["state"]["labels"] = {1, 2};
  expect_error(e, "should be a text");
  e = j;
  e["state"].erase("edges");
  expect_error(e, "missing key 'edges'");
  e = j;
  e["args"]["bins"] = 3;  // the state holds 3 edges (2 bins)
  expect_error(e, "3 edges for 3 bins");
  e = j;
  e["args"]["colour"] = 1;
  expect_error(e, "unknown key 'colour'");
  e = j;
  e["extra"] = 1;
  expect_error(e, "unknown key 'extra'");
  e = j;
  e.erase("state");
  expect_error(e, "without 'state'");
}

TEST(TransformJson, DoublesRoundTripExactly) {
  // Values whose decimal text is long: the state must give back the very same doubles.
  Table t = Table::Make({Column::StringFromValues("g", {"a", "a", "a", "b"}),
                         Column::Float64("t", {0.1, 0.2, 1.0 / 3.0, 2.0 / 3.0})})
                .value();
  auto tr = Make(
      "{name: loo_mean_target_encoder, args: {col_categorical: g, col_target: t, col_result: "
      "te}}");
  ASSERT_OK_AND_ASSIGN(auto fitted, tr->Fit(t));
  auto restored = RoundTrip(*fitted);
  ASSERT_NE(restored, nullptr);
  const double sum = restored->state()["sums"][0].get<double>();
  EXPECT_EQ(sum, 0.1 + 0.2 + 1.0 / 3.0);
  EXPECT_EQ(restored->state()["global_mean"].get<double>(),
            fitted->state()["global_mean"].get<double>());
}

// ---- helpers shared by the transforms -----------------------------------------------------------

TEST(TransformHelpers, PythonFloatRepr) {
  using transforms::PythonFloatRepr;
  EXPECT_EQ(PythonFloatRepr(2.0), "2.0");
  EXPECT_EQ(PythonFloatRepr(100.0), "100.0");
  EXPECT_EQ(PythonFloatRepr(0.1), "0.1");
  EXPECT_EQ(PythonFloatRepr(1234.5), "1234.5");
  EXPECT_EQ(PythonFloatRepr(-0.0), "-0.0");
  EXPECT_EQ(PythonFloatRepr(0.0001), "0.0001");
  EXPECT_EQ(PythonFloatRepr(0.00001), "1e-05");
  EXPECT_EQ(PythonFloatRepr(1.5e-7), "1.5e-07");
  EXPECT_EQ(PythonFloatRepr(9999999999999998.0), "9999999999999998.0");
  EXPECT_EQ(PythonFloatRepr(1e16), "1e+16");
  EXPECT_EQ(PythonFloatRepr(123456789012345678.0), "1.2345678901234568e+17");
  EXPECT_EQ(PythonFloatRepr(1.5e300), "1.5e+300");
  EXPECT_EQ(PythonFloatRepr(-kInf), "-inf");
}

TEST(TransformHelpers, NumpyAroundRoundsHalfToEvenAfterScaling) {
  using transforms::NumpyAround;
  EXPECT_EQ(NumpyAround(0.125, 2), 0.12);  // 12.5 → 12 (half to even)
  EXPECT_EQ(NumpyAround(0.375, 2), 0.38);  // 37.5 → 38
  EXPECT_EQ(NumpyAround(1250.0, -2), 1200.0);
  EXPECT_EQ(NumpyAround(2.0 / 3.0, 3), 0.667);
}

// ---- contract test over the registry ------------------------------------------------------------

Table ContractTable() {
  return Table::Make({Column::Float64("x", {1.5, -2, kNaN, 4, 0.25}),
                      Column::Int64("n", {1, 2, 3, kNullInt64, 4}),
                      Column::StringFromValues("g", {"a", "b", "a", std::nullopt, "c"}),
                      Column::Float64("t", {1, 0, 1, 1, kNaN})})
      .value();
}

TEST(TransformRegistry, EveryTransformBuildsFitsAndRoundTrips) {
  ASSERT_EQ(AllTransforms().size(), 5u);
  for (const auto& info : AllTransforms()) {
    SCOPED_TRACE(info.name);
    EXPECT_GT(std::strlen(info.summary), 10u);
    EXPECT_GT(std::strlen(info.arguments), 0u);
    EXPECT_GT(std::strlen(info.columns), 0u);
    const auto args = nlohmann::json::parse(info.example_args);
    const nlohmann::json entry = {{"name", info.name}, {"args", args}};
    auto t = MakeTransform(ConfigNode::FromJson(entry, "contract"));
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ((*t)->name(), info.name);
    // Args written back build the same transform.
    auto again = MakeTransform(
        ConfigNode::FromJson({{"name", info.name}, {"args", (*t)->args()}}, "contract"));
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_EQ((*again)->args(), (*t)->args());

    Table train = ContractTable();
    for (const auto& c : (*t)->FitInputs()) EXPECT_NE(train.FindColumn(c), nullptr) << c;
    Table other = ContractTable().TakeRows(std::vector<int64_t>{4, 3, 1});
    Table out = FitRoundTripApply(**t, train, other);
    auto fitted = (*t)->Fit(ContractTable());
    ASSERT_TRUE(fitted.ok()) << fitted.status().ToString();
    EXPECT_EQ((*fitted)->name(), info.name);
    EXPECT_EQ((*fitted)->version(), (*t)->version());
    EXPECT_EQ((*fitted)->ToJson()["version"], (*t)->version());
    EXPECT_FALSE((*fitted)->OutputColumns().empty());
    for (const auto& c : (*fitted)->OutputColumns()) {
      EXPECT_NE(out.FindColumn(c), nullptr) << c;
      EXPECT_NE(train.FindColumn(c), nullptr) << c;
    }
    for (const auto& c : (*fitted)->InputColumns()) EXPECT_NE(other.FindColumn(c), nullptr) << c;

    // An unknown argument is a config error naming it.
    nlohmann::json bad = args;
    bad["bogus_arg"] = 1;
    auto err = MakeTransform(ConfigNode::FromJson({{"name", info.name}, {"args", bad}}, "c"));
    ASSERT_FALSE(err.ok());
    EXPECT_EQ(err.status().code(), ErrorCode::kConfig);
    EXPECT_NE(err.status().message().find("unknown key 'bogus_arg'"), std::string::npos)
        << err.status().message();

    // Applying to a table without the inputs fails and leaves it unchanged.
    Table empty = Table::Make({Column::Float64("unrelated", {1})}).value();
    EXPECT_EQ((*fitted)->Apply(empty).code(), ErrorCode::kData);
    EXPECT_EQ(empty.num_columns(), 1u);
  }
}

}  // namespace
}  // namespace upcamp

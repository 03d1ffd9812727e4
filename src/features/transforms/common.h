#pragma once
// Building blocks shared by the transform implementations: argument and column checks, numeric
// views of columns, categories of a column (one_hot_encode, loo_mean_target_encoder), JSON for
// doubles that may be infinite, and Python's float text (pandas/sklearn labels and names).

#include <fmt/format.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.h"
#include "core/status.h"
#include "data/table.h"

namespace upcamp::transforms {

/// Reads a required column-name argument: non-empty text.
Result<std::string> ReadColumnName(const ConfigNode& args, std::string_view key);

/// OK if `table` has every column of `names`, else a data error that names `what` (e.g.
/// "transform divide_cols") and every missing column.
Status CheckColumns(const Table& table, const std::vector<std::string>& names,
                    std::string_view what);

/// The values of the numeric column `name` (int64, float64 or bool) as doubles, missing as NaN.
/// A missing column or another type is a data error naming the column and `what`.
Result<std::vector<double>> NumericValues(const Table& table, const std::string& name,
                                          std::string_view what);

/// Python's repr() of a float, which is also how pandas and sklearn print numbers in labels and
/// feature names: the shortest digits that read back exactly, "2.0" for integral values,
/// scientific notation when the decimal exponent is < -4 or >= 16 ("1e-05", "1.5e+16"), and
/// "inf", "-inf", "nan".
std::string PythonFloatRepr(double v);

/// numpy.around(x, decimals) for a float64, step by step as numpy computes it (scale by a power of
/// ten, round half to even, scale back), so labels match pandas to the last digit.
double NumpyAround(double x, int decimals);

/// A double as JSON: a number, or "inf" / "-inf" (JSON has no infinity); NaN becomes null.
nlohmann::json DoubleToJson(double v);
/// The inverse of DoubleToJson (null → NaN); false if `j` is none of those.
bool DoubleFromJson(const nlohmann::json& j, double* out);

/// A data error about a malformed fitted state.
template <typename... Args>
Status StateError(fmt::format_string<Args...> f, Args&&... a) {
  return Status::Data("malformed state: {}", fmt::format(f, std::forward<Args>(a)...));
}
/// `state[key]`, or a StateError if `state` is not an object or lacks the key.
Result<const nlohmann::json*> StateField(const nlohmann::json& state, std::string_view key);
/// `state[key]` as a list of doubles (DoubleToJson encoding).
Result<std::vector<double>> StateDoubles(const nlohmann::json& state, std::string_view key);

/// The distinct non-missing values of a categorical column, learned on training data and sorted
/// the way sklearn's OneHotEncoder sorts its categories: strings by code point (bytewise UTF-8),
/// numbers numerically. Column types: string → kString; int64 and bool → kInteger; float64 →
/// kFloat (-0.0 is stored as 0.0; ±inf are ordinary values). Timestamps are refused.
class Categories {
 public:
  enum class Kind { kString, kInteger, kFloat };

  /// Learns the categories of `column`; `what` names the transform in errors.
  static Result<Categories> Fit(const Column& column, std::string_view what);
  /// Reads {"kind": "string"|"integer"|"float", "values": [...]} as written by ToJson().
  static Result<Categories> FromJson(const nlohmann::json& j);
  nlohmann::json ToJson() const;

  Kind kind() const { return kind_; }
  size_t size() const;
  /// The value as text for column names: strings as they are, integers in decimal ("3"),
  /// floats as Python prints them ("3.0", "2.5").
  std::string Text(size_t i) const;

  /// Per row of `column`: the index of its value among the categories, or -1 for a missing or
  /// unseen value. String categories need a string column; numeric ones accept any numeric column
  /// (int64, float64, bool) and compare as numbers (2 matches 2.0). Another type is a data error.
  Result<std::vector<int32_t>> Lookup(const Column& column, std::string_view what) const;

 private:
  Kind kind_ = Kind::kString;
  std::vector<std::string> strings_;
  std::vector<int64_t> integers_;
  std::vector<double> floats_;
};

}  // namespace upcamp::transforms

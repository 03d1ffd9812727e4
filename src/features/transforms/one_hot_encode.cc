// one_hot_encode(cols, category_limit = 1000): for each column, the categories seen in training
// (sorted as sklearn's OneHotEncoder sorts them: strings by code point, numbers numerically) each
// become an int64 0/1 column `ohe__{col}__{value}`. At apply, a value not seen in training and a
// missing value give all zeros (sklearn's handle_unknown='ignore'). The source columns are kept.
// Numeric values are named as Python prints them: integers "3", floats "3.0".
//
// State: {"columns": [{"col": ..., "categories": {"kind", "values"}, "outputs": [...]}, ...]}.

#include <unordered_set>

#include "features/transforms/common.h"
#include "features/transforms/transforms.h"

namespace upcamp::transforms {
namespace {

const std::string kName = "one_hot_encode";
constexpr int kVersion = 1;  // of the state format; bump when it changes
constexpr int64_t kDefaultCategoryLimit = 1000;

struct Args {
  std::vector<std::string> cols;
  int64_t category_limit = kDefaultCategoryLimit;

  nlohmann::json ToJson() const { return {{"cols", cols}, {"category_limit", category_limit}}; }
  std::string What() const { return "transform one_hot_encode"; }
};

struct Encoded {
  std::string col;
  Categories categories;
  std::vector<std::string> outputs;  // one per category, same order
};

class Fitted : public FittedTransform {
 public:
  Fitted(Args a, std::vector<Encoded> s) : a_(std::move(a)), s_(std::move(s)) {}
  const std::string& name() const override { return kName; }
  nlohmann::json args() const override { return a_.ToJson(); }
  int version() const override { return kVersion; }
  nlohmann::json state() const override {
    nlohmann::json cols = nlohmann::json::array();
    for (const auto& e : s_) {
      cols.push_back(
          {{"col", e.col}, {"categories", e.categories.ToJson()}, {"outputs", e.outputs}});
    }
    return {{"columns", std::move(cols)}};
  }
  std::vector<std::string> InputColumns() const override { return a_.cols; }
  std::vector<std::string> OutputColumns() const override {
    std::vector<std::string> out;
    for (const auto& e : s_) out.insert(out.end(), e.outputs.begin(), e.outputs.end());
    return out;
  }

  Status Apply(Table& table) const override {
    UPCAMP_RETURN_IF_ERROR(CheckColumns(table, a_.cols, a_.What()));
    std::vector<Column> out;
    for (const auto& e : s_) {
      UPCAMP_ASSIGN_OR_RETURN(std::vector<int32_t> idx,
                              e.categories.Lookup(*table.FindColumn(e.col), a_.What()));
      std::vector<std::vector<int64_t>> hot(e.outputs.size(),
                                            std::vector<int64_t>(table.num_rows(), 0));
      for (size_t r = 0; r < idx.size(); ++r) {
        if (idx[r] >= 0) hot[static_cast<size_t>(idx[r])][r] = 1;
      }
      for (size_t k = 0; k < hot.size(); ++k) {
        out.push_back(Column::Int64(e.outputs[k], std::move(hot[k])));
      }
    }
    for (auto& c : out) UPCAMP_RETURN_IF_ERROR(table.SetColumn(std::move(c)));
    return Status::Ok();
  }

 private:
  Args a_;
  std::vector<Encoded> s_;
};

std::string OutputName(const std::string& col, const std::string& value) {
  return "ohe__" + col + "__" + value;
}

class OneHotEncode : public Transform {
 public:
  explicit OneHotEncode(Args a) : a_(std::move(a)) {}
  const std::string& name() const override { return kName; }
  int version() const override { return kVersion; }
  nlohmann::json args() const override { return a_.ToJson(); }
  std::vector<std::string> FitInputs() const override { return a_.cols; }

  Result<std::unique_ptr<FittedTransform>> Fit(const Table& train) const override {
    UPCAMP_RETURN_IF_ERROR(CheckColumns(train, a_.cols, a_.What()));
    std::vector<Encoded> s;
    for (const auto& col : a_.cols) {
      UPCAMP_ASSIGN_OR_RETURN(Categories cats, Categories::Fit(*train.FindColumn(col), a_.What()));
      if (static_cast<int64_t>(cats.size()) > a_.category_limit) {
        return Status::Data(
            "{}: column '{}' has {} distinct values, more than category_limit ({}); one-hot "
            "encoding it would add that many columns. Use loo_mean_target_encoder or binning, or "
            "raise category_limit",
            a_.What(), col, cats.size(), a_.category_limit);
      }
      Encoded e{col, std::move(cats), {}};
      for (size_t k = 0; k < e.categories.size(); ++k) {
        e.outputs.push_back(OutputName(col, e.categories.Text(k)));
      }
      s.push_back(std::move(e));
    }
    UPCAMP_RETURN_IF_ERROR(CheckDistinctOutputs(s));
    return std::unique_ptr<FittedTransform>(std::make_unique<Fitted>(a_, std::move(s)));
  }

 protected:
  Result<std::unique_ptr<FittedTransform>> RestoreState(
      const nlohmann::json& state) const override {
    UPCAMP_ASSIGN_OR_RETURN(const nlohmann::json* cols, StateField(state, "columns"));
    if (!cols->is_array() || cols->size() != a_.cols.size()) {
      return StateError("'columns' must list the {} encoded columns", a_.cols.size());
    }
    std::vector<Encoded> s;
    for (size_t i = 0; i < cols->size(); ++i) {
      const auto& c = (*cols)[i];
      UPCAMP_ASSIGN_OR_RETURN(const nlohmann::json* col, StateField(c, "col"));
      if (*col != a_.cols[i]) {
        return StateError("columns[{}] is {}, the args say '{}'", i, col->dump(), a_.cols[i]);
      }
      UPCAMP_ASSIGN_OR_RETURN(const nlohmann::json* cats_json, StateField(c, "categories"));
      UPCAMP_ASSIGN_OR_RETURN(Categories cats, Categories::FromJson(*cats_json));
      UPCAMP_ASSIGN_OR_RETURN(const nlohmann::json* outputs, StateField(c, "outputs"));
      if (!outputs->is_array() || outputs->size() != cats.size()) {
        return StateError("columns[{}].outputs must hold one name per category", i);
      }
      Encoded e{a_.cols[i], std::move(cats), {}};
      for (const auto& o : *outputs) {
        if (!o.is_string() || o.get_ref<const std::string&>().empty()) {
          return StateError("columns[{}].outputs holds {}, not a column name", i, o.dump());
        }
        e.outputs.push_back(o.get<std::string>());
      }
      s.push_back(std::move(e));
    }
    UPCAMP_RETURN_IF_ERROR(CheckDistinctOutputs(s));
    return std::unique_ptr<FittedTransform>(std::make_unique<Fitted>(a_, std::move(s)));
  }

 private:
  // `ohe__a__b__c` could come from column a (value b__c) or column a__b (value c).
  Status CheckDistinctOutputs(const std::vector<Encoded>& s) const {
    std::unordered_set<std::string> seen;
    for (const auto& e : s) {
      for (const auto& o : e.outputs) {
        if (!seen.insert(o).second) {
          return Status::Data("{}: two categories give the same column name '{}'", a_.What(), o);
        }
      }
    }
    return Status::Ok();
  }

  Args a_;
};

}  // namespace

Result<std::unique_ptr<Transform>> MakeOneHotEncode(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys({"cols", "category_limit"}));
  UPCAMP_ASSIGN_OR_RETURN(const ConfigNode* cols, args.Get("cols"));
  Args a;
  UPCAMP_ASSIGN_OR_RETURN(a.cols, cols->AsStringList());
  if (a.cols.empty()) return cols->Error("'cols' must name at least one column");
  for (size_t i = 0; i < a.cols.size(); ++i) {
    if (a.cols[i].empty()) return cols->Error("'cols' holds an empty column name");
    for (size_t j = 0; j < i; ++j) {
      if (a.cols[j] == a.cols[i]) return cols->Error("'cols' lists '{}' twice", a.cols[i]);
    }
  }
  UPCAMP_ASSIGN_OR_RETURN(a.category_limit, args.GetInt("category_limit", kDefaultCategoryLimit));
  if (a.category_limit < 1) {
    return args.Find("category_limit")
        ->Error("'category_limit' must be at least 1, got {}", a.category_limit);
  }
  return std::unique_ptr<Transform>(std::make_unique<OneHotEncode>(std::move(a)));
}

}  // namespace upcamp::transforms

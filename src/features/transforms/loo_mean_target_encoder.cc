// loo_mean_target_encoder(col_categorical, col_target, col_result): leave-one-out mean target
// encoding, as category_encoders.LeaveOneOutEncoder (which the reference feature library wraps).
//
// Fit learns, over the training rows whose target is not missing: per category its target sum s
// and count n, and the global mean m of the target. Then (see transform.h for the two modes):
//   scoring mode (Apply, any table): a row of category c gets s_c / n_c when n_c >= 2; a category
//     seen once gets m (as category_encoders does: in training its single row got m, so the model
//     never saw that lone target as a feature value); unseen and missing categories get m.
//   training mode (FitTransform, on the table it fits): a row with target y gets the mean of the
//     *other* training rows of its category, (s_c - y) / (n_c - 1), or m if it has no other row;
//     a row with a missing category gets m; a row with a missing target took no part in the sums,
//     so it gets its scoring-mode value.
// Missing categories are not a category of their own (category_encoders would make NaN one).
//
// State: {"global_mean": m, "categories": {"kind", "values"}, "sums": [...], "counts": [...]}.

#include <cmath>

#include "features/transforms/common.h"
#include "features/transforms/transforms.h"

namespace upcamp::transforms {
namespace {

const std::string kName = "loo_mean_target_encoder";
constexpr int kVersion = 1;  // of the state format; bump when it changes

struct Args {
  std::string col_categorical, col_target, col_result;

  nlohmann::json ToJson() const {
    return {{"col_categorical", col_categorical},
            {"col_target", col_target},
            {"col_result", col_result}};
  }
  std::string What() const {
    return fmt::format("transform loo_mean_target_encoder ('{}')", col_result);
  }
};

struct State {
  double global_mean = 0;
  Categories categories;
  std::vector<double> sums;
  std::vector<int64_t> counts;

  // The scoring-mode value of category index k (-1: missing or unseen).
  double Scoring(int32_t k) const {
    if (k < 0) return global_mean;
    const auto i = static_cast<size_t>(k);
    return counts[i] >= 2 ? sums[i] / static_cast<double>(counts[i]) : global_mean;
  }
};

class Fitted : public FittedTransform {
 public:
  Fitted(Args a, State s) : a_(std::move(a)), s_(std::move(s)) {}
  const std::string& name() const override { return kName; }
  nlohmann::json args() const override { return a_.ToJson(); }
  int version() const override { return kVersion; }
  nlohmann::json state() const override {
    nlohmann::json sums = nlohmann::json::array();
    for (double v : s_.sums) sums.push_back(DoubleToJson(v));
    return {{"global_mean", s_.global_mean},
            {"categories", s_.categories.ToJson()},
            {"sums", std::move(sums)},
            {"counts", s_.counts}};
  }
  // Scoring needs the category only: the target is not part of the scoring data.
  std::vector<std::string> InputColumns() const override { return {a_.col_categorical}; }
  std::vector<std::string> OutputColumns() const override { return {a_.col_result}; }

  Status Apply(Table& table) const override {
    UPCAMP_RETURN_IF_ERROR(CheckColumns(table, {a_.col_categorical}, a_.What()));
    UPCAMP_ASSIGN_OR_RETURN(std::vector<int32_t> idx,
                            s_.categories.Lookup(*table.FindColumn(a_.col_categorical), a_.What()));
    std::vector<double> out(idx.size());
    for (size_t r = 0; r < idx.size(); ++r) out[r] = s_.Scoring(idx[r]);
    return table.SetColumn(Column::Float64(a_.col_result, std::move(out)));
  }

 private:
  Args a_;
  State s_;
};

class LooMeanTargetEncoder : public Transform {
 public:
  explicit LooMeanTargetEncoder(Args a) : a_(std::move(a)) {}
  const std::string& name() const override { return kName; }
  int version() const override { return kVersion; }
  nlohmann::json args() const override { return a_.ToJson(); }
  std::vector<std::string> FitInputs() const override {
    return {a_.col_categorical, a_.col_target};
  }

  Result<std::unique_ptr<FittedTransform>> Fit(const Table& train) const override {
    UPCAMP_ASSIGN_OR_RETURN(Learned l, Learn(train));
    return std::unique_ptr<FittedTransform>(std::make_unique<Fitted>(a_, std::move(l.state)));
  }

  Result<std::unique_ptr<FittedTransform>> FitTransform(Table& train) const override {
    UPCAMP_ASSIGN_OR_RETURN(Learned l, Learn(train));
    const State& s = l.state;
    std::vector<double> out(l.index.size());
    for (size_t r = 0; r < out.size(); ++r) {
      const int32_t k = l.index[r];
      const double y = l.target[r];
      if (k < 0 || std::isnan(y)) {
        out[r] = s.Scoring(k);
        continue;
      }
      const auto i = static_cast<size_t>(k);
      const int64_t others = s.counts[i] - 1;
      out[r] = others >= 1 ? (s.sums[i] - y) / static_cast<double>(others) : s.global_mean;
    }
    UPCAMP_RETURN_IF_ERROR(train.SetColumn(Column::Float64(a_.col_result, std::move(out))));
    return std::unique_ptr<FittedTransform>(std::make_unique<Fitted>(a_, std::move(l.state)));
  }

 protected:
  Result<std::unique_ptr<FittedTransform>> RestoreState(
      const nlohmann::json& state) const override {
    State s;
    UPCAMP_ASSIGN_OR_RETURN(const nlohmann::json* mean, StateField(state, "global_mean"));
    if (!mean->is_number()) return StateError("'global_mean' must be a number");
    s.global_mean = mean->get<double>();
    UPCAMP_ASSIGN_OR_RETURN(const nlohmann::json* cats, StateField(state, "categories"));
    UPCAMP_ASSIGN_OR_RETURN(s.categories, Categories::FromJson(*cats));
    UPCAMP_ASSIGN_OR_RETURN(s.sums, StateDoubles(state, "sums"));
    UPCAMP_ASSIGN_OR_RETURN(const nlohmann::json* counts, StateField(state, "counts"));
    if (!counts->is_array()) return StateError("'counts' must be a list");
    for (const auto& c : *counts) {
      if (!c.is_number_integer() || c.get<int64_t>() < 0) {
        return StateError("count {} is not a non-negative integer", c.dump());
      }
      s.counts.push_back(c.get<int64_t>());
    }
    if (s.sums.size() != s.categories.size() || s.counts.size() != s.categories.size()) {
      return StateError("{} categories but {} sums and {} counts", s.categories.size(),
                        s.sums.size(), s.counts.size());
    }
    return std::unique_ptr<FittedTransform>(std::make_unique<Fitted>(a_, std::move(s)));
  }

 private:
  struct Learned {
    State state;
    std::vector<int32_t> index;  // category index per training row (-1: missing)
    std::vector<double> target;  // target per training row (NaN: missing)
  };

  Result<Learned> Learn(const Table& train) const {
    UPCAMP_RETURN_IF_ERROR(CheckColumns(train, FitInputs(), a_.What()));
    Learned l;
    const Column& cat = *train.FindColumn(a_.col_categorical);
    UPCAMP_ASSIGN_OR_RETURN(l.state.categories, Categories::Fit(cat, a_.What()));
    UPCAMP_ASSIGN_OR_RETURN(l.index, l.state.categories.Lookup(cat, a_.What()));
    UPCAMP_ASSIGN_OR_RETURN(l.target, NumericValues(train, a_.col_target, a_.What()));
    const size_t k = l.state.categories.size();
    l.state.sums.assign(k, 0.0);
    l.state.counts.assign(k, 0);
    double total = 0;
    int64_t n = 0;
    for (size_t r = 0; r < l.target.size(); ++r) {
      const double y = l.target[r];
      if (std::isnan(y)) continue;
      total += y;
      ++n;
      if (l.index[r] < 0) continue;
      const auto i = static_cast<size_t>(l.index[r]);
      l.state.sums[i] += y;
      ++l.state.counts[i];
    }
    if (n == 0) {
      return Status::Data("{}: target column '{}' has no non-missing value to learn means from",
                          a_.What(), a_.col_target);
    }
    if (!std::isfinite(total)) {
      return Status::Data("{}: target column '{}' holds infinite values", a_.What(), a_.col_target);
    }
    l.state.global_mean = total / static_cast<double>(n);
    return l;
  }

  Args a_;
};

}  // namespace

Result<std::unique_ptr<Transform>> MakeLooMeanTargetEncoder(const ConfigNode& args) {
  UPCAMP_RETURN_IF_ERROR(args.CheckKeys({"col_categorical", "col_target", "col_result"}));
  Args a;
  UPCAMP_ASSIGN_OR_RETURN(a.col_categorical, ReadColumnName(args, "col_categorical"));
  UPCAMP_ASSIGN_OR_RETURN(a.col_target, ReadColumnName(args, "col_target"));
  UPCAMP_ASSIGN_OR_RETURN(a.col_result, ReadColumnName(args, "col_result"));
  if (a.col_target == a.col_categorical) {
    return args.Find("col_target")
        ->Error("'col_target' and 'col_categorical' are the same column '{}'", a.col_target);
  }
  return std::unique_ptr<Transform>(std::make_unique<LooMeanTargetEncoder>(std::move(a)));
}

}  // namespace upcamp::transforms

#pragma once
// The XGBoost base learner behind the meta-learners (models/meta/meta_learner.h): validated
// parameters, RAII handles around XGBoost's C API (libxgboost 1.7, Debian's libxgboost-dev),
// training of one booster, prediction, total-gain importance and JSON model files.
//
// Determinism. XGBoost's tree builders (hist, approx, exact) accumulate gradient statistics in
// per-thread buffers that are reduced afterwards, so the summation order — and in rare cases the
// last bits of a gain or leaf value — depends on `nthread`. Measured on 1.7.4 the trees came out
// identical for nthread 1, 2 and 4 (200k x 20 logistic, 100k x 10 heavy-tailed regression), but
// XGBoost does not promise it. Every booster is therefore *trained* with nthread = 1, and the
// meta-learners run their independent boosters (T-learner arms, cross-fitting folds) in
// parallel instead. *Prediction* sums the trees of each row in a fixed order whatever the
// thread count, so it uses all the threads it is given.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/config.h"
#include "core/status.h"

namespace upcamp::models::xgb {

/// Parameters of the `base: {type: xgboost, params: {...}}` node. Keys are XGBoost's own names
/// (aliases eta/learning_rate, gamma/min_split_loss, lambda/reg_lambda, alpha/reg_alpha are
/// accepted and stored under the first name) plus `num_rounds`. Unknown keys are config errors;
/// `nthread`, `seed` and `objective` are refused with the reason (they come from --threads, the
/// run's seed and the learner). Defaults (XGBoost's own where not stated):
///   num_rounds 100, eta 0.1 (XGBoost: 0.3), max_depth 4 (XGBoost: 6), min_child_weight 1,
///   gamma 0, lambda 1, alpha 0, max_delta_step 0, subsample 1, colsample_bytree/bylevel/bynode 1,
///   tree_method hist, max_bin 256, grow_policy depthwise, max_leaves 0, num_parallel_tree 1,
///   scale_pos_weight 1, base_score auto (= the weighted mean of the booster's training target;
///   XGBoost 1.7 would use 0.5).
struct Params {
  int num_rounds = 100;
  /// XGBoost parameter name -> value as XGBoost parses it, every supported key present, in a
  /// fixed order. base_score is "auto" or a number.
  std::vector<std::pair<std::string, std::string>> booster;

  /// Validates a `params` map (null = all defaults). Errors name the key and its location.
  static Result<Params> FromConfig(const ConfigNode* params);
  /// Every parameter (defaults filled in), as numbers where they are numbers.
  nlohmann::json ToJson() const;
  /// The value of a booster parameter ("" if absent).
  std::string Get(std::string_view name) const;
  /// One line per parameter with its default, for `upcamp list models`.
  static std::string Describe();
};

enum class Objective {
  kRegression,  ///< reg:squarederror; predicts the conditional mean
  kBinary,      ///< binary:logistic on 0/1 labels; predicts P(label = 1) in [0, 1]
};

/// A dense row-major float32 matrix, the layout XGBoost copies from (XGDMatrixCreateFromMat).
/// NaN = missing. XGBoost works in float32 internally, so nothing is lost by converting here.
struct DenseRows {
  int64_t rows = 0;
  int cols = 0;
  std::vector<float> values;  ///< values[row * cols + col]

  DenseRows() = default;
  DenseRows(int64_t r, int c)
      : rows(r), cols(c), values(static_cast<size_t>(r) * static_cast<size_t>(c)) {}
  float* row(int64_t r) {
    return values.data() + static_cast<size_t>(r) * static_cast<size_t>(cols);
  }
};

/// One trained XGBoost booster (an owning handle; movable, not copyable).
class Booster {
 public:
  Booster();
  ~Booster();
  Booster(Booster&&) noexcept;
  Booster& operator=(Booster&&) noexcept;
  Booster(const Booster&) = delete;
  Booster& operator=(const Booster&) = delete;

  /// Trains `params.num_rounds` rounds on `x` with `label` (one per row; 0/1 for kBinary) and
  /// optional `weight` (empty = all 1; non-negative, not all 0). One XGBoost thread (see the
  /// file comment); `seed` drives row/column subsampling. XGBoost's errors become Status.
  static Result<Booster> Train(const Params& params, Objective objective, const DenseRows& x,
                               std::span<const float> label, std::span<const float> weight,
                               uint64_t seed);

  /// Predictions for every row of `x` (probabilities for kBinary), computed with up to
  /// `threads` XGBoost threads; identical for any thread count. Thread-safe.
  Result<std::vector<double>> Predict(const DenseRows& x, int threads) const;

  /// Total split gain per input column (XGBoost's `total_gain`), length `n_features`; columns
  /// never split on get 0.
  Result<std::vector<double>> TotalGain(int n_features) const;

  /// Number of input columns the booster was trained on.
  Result<int> NumFeatures() const;

  /// The model as XGBoost JSON (trees, base_score, objective): round-trips exactly.
  Result<std::string> ToJsonText() const;
  static Result<Booster> FromJsonText(std::string_view json, std::string_view what);

  /// Writes the JSON model atomically (temp file + fsync + rename).
  Status SaveFile(const std::string& path) const;
  /// Reads a JSON model file; anything unreadable is a data error naming the file.
  static Result<Booster> LoadFile(const std::string& path);

  bool valid() const { return handle_ != nullptr; }

 private:
  explicit Booster(void* handle);
  void* handle_ = nullptr;                  // BoosterHandle
  std::unique_ptr<std::mutex> predict_mu_;  // Predict sets nthread on the shared handle
};

/// XGBoost's version as "major.minor.patch" (for manifests and `upcamp --version`).
std::string Version();

}  // namespace upcamp::models::xgb

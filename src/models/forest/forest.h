#pragma once
// uplift_forest: a random forest of uplift trees grown natively on histogram-binned features
// (docs/uplift_forest.md). Each tree draws a bootstrap sample, chooses splits with an uplift
// criterion (KL, ED, Chi or DDP) over up to 255 quantile bins of max_features random features
// per node, and predicts the leaf's treated-minus-control outcome mean; the forest averages.
//
// Reproducibility: every random choice derives from Context::seed, the tree index, the node
// index and the rank of a row's *content* hash — never from the thread that grows the tree nor
// from the row order — so predictions are identical for any thread count and for any order of
// the training rows.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/config.h"
#include "models/forest/tree.h"
#include "models/model.h"

namespace upcamp::models::forest {

/// The `params:` of {type: uplift_forest, params: {...}}; defaults are the documented ones.
struct ForestParams {
  int n_trees = 100;  ///< trees in the forest, >= 1
  int n_bins = 255;   ///< quantile bins per feature, 2..255
  TreeParams tree;

  /// Validates a params map (null = all defaults). Unknown keys and bad values are config
  /// errors naming the key and its location.
  static Result<ForestParams> FromConfig(const ConfigNode* params);
  nlohmann::json ToJson() const;
};

/// Per-row prediction details: the uplift and, averaged over the trees, the leaves' outcome
/// means and filling-row counts per group (how much data stands behind the score).
struct ForestPrediction {
  std::vector<double> uplift;
  std::vector<double> mean_treated, mean_control;
  std::vector<double> n_treated, n_control;
};

class UpliftForest final : public UpliftModel {
 public:
  /// Name of the forest JSON file written by Save() into the bundle folder.
  static constexpr const char* kFileName = "uplift_forest.json";
  /// Version of that file's layout; Load() refuses others.
  static constexpr int kFormatVersion = 1;

  explicit UpliftForest(ForestParams params) : params_(std::move(params)) {}

  const std::string& type() const override;
  nlohmann::json config() const override;
  Status Fit(const TrainingData& data, const Context& ctx) override;
  Result<std::vector<double>> Predict(const FeatureMatrix& x, const Context& ctx) const override;
  std::vector<double> FeatureImportance() const override;
  Result<SavedModel> Save(const std::filesystem::path& dir) const override;
  Status Load(const std::filesystem::path& dir, const nlohmann::json& state) override;

  /// Predict() plus the leaves' means and counts.
  Result<ForestPrediction> PredictDetailed(const FeatureMatrix& x, const Context& ctx) const;

  const ForestParams& params() const { return params_; }
  const std::vector<UpliftTree>& trees() const { return trees_; }
  /// The bins of the last Fit() (empty after Load(): predictions need only thresholds).
  const std::vector<FeatureBins>& bins() const { return bins_; }

  /// The forest as the JSON document of the forest file.
  nlohmann::json ToJson() const;
  /// Restores from that document; `what` names the file in errors (data errors).
  Status FromJson(const nlohmann::json& doc, const std::string& what);

 private:
  ForestParams params_;
  bool fitted_ = false;
  int n_features_ = 0;
  std::vector<std::string> feature_names_;
  OutcomeKind outcome_kind_ = OutcomeKind::kBinary;
  std::vector<UpliftTree> trees_;
  std::vector<FeatureBins> bins_;
};

/// The seed of tree `tree` of a forest fitted with Context::seed = `seed`.
uint64_t TreeSeed(uint64_t seed, size_t tree);

/// rank[row] = the row's position when rows are ordered by a 64-bit hash of their content
/// (features, treatment, outcome; -0.0 = +0.0, all NaNs equal), ties by row index. Identical
/// rows tie, and they are interchangeable, so every draw keyed by rank is row-order invariant.
std::vector<uint32_t> CanonicalRanks(const FeatureMatrix& x, std::span<const uint8_t> treatment,
                                     std::span<const double> outcome, int threads);

/// The registry's factory: validates {type: uplift_forest, params: {...}}.
Result<std::unique_ptr<UpliftModel>> MakeUpliftForest(const ConfigNode& model_node);

/// The registry's parameter summary line.
extern const char* const kUpliftForestParameters;

}  // namespace upcamp::models::forest

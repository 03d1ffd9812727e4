#pragma once
// One uplift tree: the binned training data it is grown on, its flat node array, and the
// builder (histogram split search over uint8 bin codes).

#include <cstdint>
#include <span>
#include <vector>

#include "models/forest/binning.h"
#include "models/forest/criteria.h"
#include "models/model.h"

namespace upcamp::models::forest {

/// The training rows as the trees see them: bin codes (column-major, rows x cols), the
/// treatment and outcome per row, and each row's rank in a content-defined order (see
/// forest.cc), which keys every random draw so that row order does not matter.
struct BinnedData {
  int64_t rows = 0;
  int cols = 0;
  std::vector<uint8_t> codes;     ///< codes[col * rows + row]
  std::vector<FeatureBins> bins;  ///< per column
  std::span<const uint8_t> treatment;
  std::span<const double> outcome;
  std::vector<uint32_t> canonical;  ///< row -> rank of the row's content hash
  /// rank -> row, set for continuous outcomes only: their trees visit rows in rank order so
  /// that floating-point sums, too, do not depend on the input order (binary sums are exact).
  std::vector<uint32_t> by_rank;
  bool binary = true;

  const uint8_t* column(int j) const {
    return codes.data() + static_cast<size_t>(j) * static_cast<size_t>(rows);
  }
};

/// The knobs of one tree (the forest's params minus n_trees / n_bins).
struct TreeParams {
  int max_depth = 6;                  ///< splits on the longest path (root at depth 0)
  double min_samples_leaf = 100;      ///< weighted rows per child
  double min_samples_treatment = 10;  ///< weighted treated and control rows per child
  int max_features = 10;              ///< features drawn (without replacement) per node
  Criterion criterion = Criterion::kKL;
  bool normalization = true;
  double n_reg = 10;  ///< shrinkage of child means towards the parent's
  bool honest = false;
  bool bootstrap = true;
};

struct TreeNode {
  int32_t feature = -1;  ///< -1 for a leaf
  int32_t left = -1, right = -1;
  double threshold = 0;       ///< x <= threshold goes left
  bool missing_left = false;  ///< where NaN goes
  double gain = 0;            ///< the criterion value of the split (internal nodes)
  double weight = 0;          ///< weighted rows of the split-choosing sample in the node
  /// The rows that fill the node (the other half when honest, else the same rows): weighted
  /// counts and outcome means per group. A group without rows here takes the nearest
  /// ancestor's mean.
  double n_treated = 0, n_control = 0;
  double mean_treated = 0, mean_control = 0;

  bool is_leaf() const { return feature < 0; }
  double uplift() const { return mean_treated - mean_control; }
};

/// A tree as a flat node array; node 0 is the root and children come after their parent.
struct UpliftTree {
  std::vector<TreeNode> nodes;

  /// Index of the leaf that row `row` of `x` falls into.
  int32_t FindLeaf(const FeatureMatrix& x, int64_t row) const {
    int32_t i = 0;
    while (!nodes[static_cast<size_t>(i)].is_leaf()) {
      const TreeNode& node = nodes[static_cast<size_t>(i)];
      const double v = x.column(node.feature)[static_cast<size_t>(row)];
      const bool go_left = v != v ? node.missing_left : v <= node.threshold;
      i = go_left ? node.left : node.right;
    }
    return i;
  }
};

/// Reusable buffers of one worker thread.
struct TreeScratch {
  std::vector<uint32_t> draws;
  std::vector<uint8_t> sample_slot;
  std::vector<uint32_t> sample_row;
  std::vector<double> sample_w, sample_wy;
  std::vector<uint32_t> tmp_row;
  std::vector<uint8_t> tmp_slot;
  std::vector<double> tmp_w, tmp_wy;
  std::vector<double> hist, best_hist;
  std::vector<int> feature_pool;
};

/// Whether the row of canonical rank `rank` fills the leaves (rather than choosing splits) in
/// the honest tree grown with `seed`: a fair coin keyed by (seed, rank).
bool IsFillingRow(uint64_t seed, uint32_t rank);

/// Grows one tree on `data` with the given seed (bootstrap draws, honest halves and feature
/// subsets all derive from it and from canonical row ranks).
UpliftTree GrowTree(const BinnedData& data, const TreeParams& params, uint64_t seed,
                    TreeScratch& scratch);

}  // namespace upcamp::models::forest

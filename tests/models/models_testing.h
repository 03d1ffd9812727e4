#pragma once
// Helpers shared by the model tests: a simulated randomized experiment with a known uplift
// function, and small configs for every registered model.

#include <cstdint>
#include <string>
#include <vector>

#include "core/config.h"
#include "models/model.h"

namespace upcamp::models::testing {

/// A randomized experiment: features x0..x4 ~ U(-1, 1) (x4 missing in 5% of rows), treatment
/// with P(t = 1) = `treated_share`, and an uplift that depends on x0 only.
///  - binary:     P(y=1 | t=0) = sigmoid(-0.5 + 0.8 x1 - 0.5 x2), uplift(x) = 0.15 x0 + 0.03
///                (P(y=1 | t=1) = P(y=1 | t=0) + uplift, in (0, 1) everywhere);
///  - continuous: y = 1 + x1 + 0.5 x2 + t * uplift(x) + N(0, 1), uplift(x) = x0 + 0.2.
struct SimData {
  FeatureMatrix x;
  std::vector<uint8_t> t;
  std::vector<double> y;
  std::vector<double> true_uplift;
  OutcomeKind kind = OutcomeKind::kBinary;

  TrainingData view() const { return {&x, t, y, kind}; }
  /// The same rows with treatment and control swapped.
  SimData Swapped() const;
  /// The rows in the order `perm` (perm[i] = source row of row i).
  SimData Permuted(const std::vector<int64_t>& perm) const;
};

SimData Simulate(int64_t rows, OutcomeKind kind, uint64_t seed, double treated_share = 0.4);

/// A small, fast `model:` node for a registered model type: meta-learners get a light XGBoost
/// base (`extra_params` appended to its params, e.g. "subsample: 0.8"); other models get their
/// entry from a table here, or `{type: <name>}` with their defaults.
ConfigNode SmallConfig(const std::string& type, const std::string& extra_params = "");

/// Pearson correlation.
double Correlation(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace upcamp::models::testing

#pragma once
// Simulated uplift data for the forest tests: features uniform on [0, 1), a 50/50 randomized
// treatment, and a binary outcome whose uplift is known per row.

#include <cstdint>
#include <string>
#include <vector>

#include "core/random.h"
#include "models/model.h"

namespace upcamp::models::forest::testing {

struct SimData {
  FeatureMatrix x;
  std::vector<uint8_t> treatment;
  std::vector<double> outcome;
  std::vector<double> true_uplift;

  TrainingData Training(OutcomeKind kind = OutcomeKind::kBinary) const {
    return {&x, treatment, outcome, kind};
  }
};

/// Uplift 0.25 where x0 > 0.5 and x1 > 0.3, else -0.05; base rate 0.2 + 0.2 * x2. Columns
/// x3.. are noise; a missing x1 or x2 (cols < 3) counts as 0.5.
inline SimData Simulate(int64_t rows, int cols, uint64_t seed) {
  std::vector<std::string> names;
  for (int j = 0; j < cols; ++j) names.push_back("x" + std::to_string(j));
  SimData d{FeatureMatrix(names, rows), {}, {}, {}};
  Rng rng(seed);
  for (int j = 0; j < cols; ++j) {
    for (double& v : d.x.mutable_column(j)) v = rng.Uniform();
  }
  for (int64_t r = 0; r < rows; ++r) {
    const double x0 = d.x.at(r, 0), x1 = cols > 1 ? d.x.at(r, 1) : 0.5;
    const double x2 = cols > 2 ? d.x.at(r, 2) : 0.5;
    const double tau = (x0 > 0.5 && x1 > 0.3) ? 0.25 : -0.05;
    const uint8_t t = rng.Bernoulli(0.5) ? 1 : 0;
    const double p = 0.2 + 0.2 * x2 + (t ? tau : 0.0);
    d.treatment.push_back(t);
    d.outcome.push_back(rng.Bernoulli(p) ? 1.0 : 0.0);
    d.true_uplift.push_back(tau);
  }
  return d;
}

}  // namespace upcamp::models::forest::testing

#pragma once
// Helpers shared by the metrics tests: in-memory data sets and tolerant comparisons.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/random.h"
#include "metrics/sample.h"

namespace upcamp::metrics::testing {

/// Columns of one data set.
struct Data {
  std::vector<double> score;
  std::vector<uint8_t> treatment;
  std::vector<double> outcome;

  RankedSample Ranked() const {
    auto r = RankedSample::Make(score, treatment, outcome);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : RankedSample();
  }
  /// The same rows with treatment and control swapped.
  Data Swapped() const {
    Data d = *this;
    for (auto& t : d.treatment) t = static_cast<uint8_t>(1 - t);
    return d;
  }
};

/// A randomized test: P(treated) = p_treat; a 0/1 outcome with P(y = 1) = base + effect · t,
/// where the effect grows with a hidden trait h ~ U(0, 1): effect = lift · h. `score` is
/// h + noise · N(0, 1) (noise = 0: the score ranks the true effect exactly).
inline Data Simulate(size_t n, uint64_t seed, double p_treat = 0.5, double base = 0.2,
                     double lift = 0.2, double noise = 0.1) {
  Rng rng(seed);
  Data d;
  for (size_t i = 0; i < n; ++i) {
    const double h = rng.Uniform();
    const bool t = rng.Bernoulli(p_treat);
    const bool y = rng.Bernoulli(base + (t ? lift * h : 0.0));
    d.score.push_back(h + noise * rng.Normal());
    d.treatment.push_back(t ? 1 : 0);
    d.outcome.push_back(y ? 1.0 : 0.0);
  }
  return d;
}

/// |got − want| <= tol · max(1, |want|).
inline ::testing::AssertionResult Near(double got, double want, double tol = 1e-9) {
  if (std::fabs(got - want) <= tol * std::max(1.0, std::fabs(want))) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure()
         << "got " << got << ", want " << want << " (diff " << got - want << ")";
}

}  // namespace upcamp::metrics::testing

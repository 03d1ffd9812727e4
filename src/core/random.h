#pragma once
// A small, fully specified random generator and the distributions we need. std::*_distribution
// results differ between standard libraries, which would break "same seed => same bytes on any
// machine"; these are our own, defined bit for bit.

#include <cmath>
#include <cstdint>

#include "core/hash.h"

namespace upcamp {

/// xoshiro256** seeded through splitmix64. Cheap to construct: derive one per client / per tree
/// from MixSeed(seed, index) so results do not depend on thread scheduling.
class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t NextU64();
  /// Uniform on [0, 1).
  double Uniform() { return UnitInterval(NextU64()); }
  /// Uniform on [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }
  /// Uniform integer on [0, n), unbiased (Lemire's method). n must be > 0.
  uint64_t UniformInt(uint64_t n);
  bool Bernoulli(double p) { return Uniform() < p; }
  /// Standard normal (Box-Muller; uses two uniforms per call, no cached state).
  double Normal();
  double Normal(double mean, double sd) { return mean + sd * Normal(); }
  double LogNormal(double mu, double sigma) { return std::exp(Normal(mu, sigma)); }
  /// Exponential with the given rate (mean 1/rate).
  double Exponential(double rate);
  /// Gamma(shape, scale=1), Marsaglia-Tsang; shape > 0.
  double Gamma(double shape);
  /// Beta(a, b) via two gammas.
  double Beta(double a, double b);
  /// Poisson(lambda): inversion by multiplication for small lambda, PTRS (Hoermann 1993) above 10.
  int64_t Poisson(double lambda);

 private:
  uint64_t s_[4];
};

}  // namespace upcamp
